#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster built from the installed server binaries.

    python scripts/with_postgres.py -- pytest -m pg

initdb into a temp dir (as the ``postgres`` user through runuser when we are root, since initdb refuses root),
trust auth, loopback only on a free port, socket in the temp dir; LIANXIN_DATABASE_URL is set for the command;
the cluster is stopped and removed on exit, whatever the command's outcome. Exits with the command's code.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def bindir() -> str:
    for cand in ("pg_config",):
        if shutil.which(cand):
            out = subprocess.run([cand, "--bindir"], capture_output=True, text=True).stdout.strip()
            if os.path.exists(os.path.join(out, "initdb")):
                return out
    for v in ("17", "16", "15"):
        d = f"/usr/lib/postgresql/{v}/bin"
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    sys.exit("PostgreSQL server binaries not found (install postgresql-15)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    argv = sys.argv[1:]
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        sys.exit("usage: with_postgres.py -- command ...")
    bd = bindir()
    root = os.geteuid() == 0
    tmp = tempfile.mkdtemp(prefix="lianxin-pg-")
    data, sock = os.path.join(tmp, "data"), tmp
    as_pg = ["runuser", "-u", "postgres", "--"] if root else []
    if root:
        shutil.chown(tmp, "postgres", "postgres")
    port = free_port()
    log = os.path.join(tmp, "server.log")
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    try:
        subprocess.run([*as_pg, f"{bd}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                        "--no-sync"], check=True, stdout=subprocess.DEVNULL, env=env)
        opts = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sock} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 "
                "-c shared_buffers=256MB")
        subprocess.run([*as_pg, f"{bd}/pg_ctl", "-D", data, "-l", log, "-o", opts, "-w", "-t", "60", "start"],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        subprocess.run([f"{bd}/psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-q", "-c",
                        "CREATE DATABASE lianxin"], check=True)
        url = f"postgres://postgres@127.0.0.1:{port}/lianxin"
        print(f"[with_postgres] PostgreSQL from {bd} on 127.0.0.1:{port}", flush=True)
        proc = subprocess.Popen(argv, env={**os.environ, "LIANXIN_DATABASE_URL": url})
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            return proc.wait()
    finally:
        subprocess.run([*as_pg, f"{bd}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.2)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
