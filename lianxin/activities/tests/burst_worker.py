"""A separate OS process for the concurrency tests: its own Django, its own database connections (one per
thread). Reads a JSON list of operations on stdin, runs them all at once from a thread pool released by a
barrier, and prints a JSON list of outcomes ("confirmed", "waitlisted", "cancelled" or an error code).

    python -m lianxin.activities.tests.burst_worker <threads> < ops.json
    ops: [["signup", user_id, activity_id], ["cancel", user_id, signup_id], ...]
"""

import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings_test")
    import django

    django.setup()
    from django.db import connection

    from lianxin.accounts.models import User
    from lianxin.activities import services
    from lianxin.core.errors import ServiceError

    threads = int(sys.argv[1])
    ops = json.load(sys.stdin)
    users = {u.pk: u for u in User.objects.select_related("person").filter(pk__in={o[1] for o in ops})}
    connection.close()
    barrier = threading.Barrier(min(threads, len(ops)))

    def run(op):
        kind, user_id, target = op
        try:
            try:
                barrier.wait(timeout=30)
            except threading.BrokenBarrierError:
                pass
            if kind == "signup":
                return services.sign_up(actor=users[user_id], activity_id=target).status
            return services.cancel_signup(actor=users[user_id], signup_id=target).status
        except ServiceError as e:
            return e.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        out = list(pool.map(run, ops))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
