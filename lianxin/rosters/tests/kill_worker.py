"""Run one roster import in a separate process and stall it mid-write, so a test can SIGKILL it.

    python -m lianxin.rosters.tests.kill_worker <job id> <media root>

Prints "WRITING" once at least two chunks have been written inside the import's transaction, then sleeps."""

import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings_test")
    import django

    django.setup()
    from django.conf import settings

    from lianxin.rosters import services

    settings.MEDIA_ROOT = sys.argv[2]
    services.CHUNK = 10
    real_write, calls = services._write, []

    def write(*a, **kw):
        out = real_write(*a, **kw)
        calls.append(1)
        if len(calls) == 2:
            print("WRITING", flush=True)
            time.sleep(120)
        return out

    services._write = write
    services.import_job(int(sys.argv[1]))
    print("FINISHED", flush=True)


if __name__ == "__main__":
    main()
