#!/usr/bin/env python3
"""make run: the development server and one task worker, together, in one terminal.

Sign-in codes, in-app messages, roster imports and the other background work are Django Tasks in the database;
without a worker they would wait forever and the demo's member login would never see its code. The worker's log
(the console SMS adapter prints each code there) shares the terminal with the server's. Ctrl-C (or the server
exiting for any reason) stops both. Production runs `manage.py db_worker` as its own service instead.

Usage: scripts/run_local.py [runserver arguments…] (run from the repository root with the virtualenv's python).
"""

import subprocess
import sys


def main(argv: list[str]) -> int:
    py = sys.executable
    worker = subprocess.Popen([py, "manage.py", "db_worker", "--no-reload"])
    try:
        return subprocess.call([py, "manage.py", "runserver", *argv])
    except KeyboardInterrupt:
        return 0
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
