"""Child process for the two-process booking race (test_booking_concurrency). Not a test module.

    python -m lianxin.venues.tests.booking_worker SLOT_ID GO_FILE USER_ID,USER_ID,...

Loads the users, prints "ready", waits for GO_FILE to appear, then books the slot for every user at once,
one thread (and database connection) per user, and prints the outcomes as JSON."""

import json
import os
import sys
import threading
import time


def main() -> None:
    import django

    django.setup()
    from django.db import connection

    from lianxin.accounts.models import User
    from lianxin.core.errors import ServiceError
    from lianxin.venues import services

    slot_id, go_file = int(sys.argv[1]), sys.argv[2]
    users = list(User.objects.filter(pk__in=[int(x) for x in sys.argv[3].split(",")]))
    connection.close()
    results, lock = [], threading.Lock()

    def run(user):
        try:
            while not os.path.exists(go_file):
                time.sleep(0.002)
            try:
                services.book_slot(actor=user, slot_id=slot_id)
                out = "ok"
            except ServiceError as e:
                out = e.code
            with lock:
                results.append([user.pk, out])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    print("ready", flush=True)
    for t in threads:
        t.join()
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
