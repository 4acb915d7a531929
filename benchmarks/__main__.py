"""python -m benchmarks [name ...] — run benchmarks/bench_<name>.py (all when no name is given).

Runs under scripts/with_postgres.py, which sets LIANXIN_DATABASE_URL to a throwaway PostgreSQL cluster. Each
benchmark gets a database of its own (``lianxin_bench_<name>``) and its own process, so one benchmark's data
never meets another's."""

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path


def _own_database(name: str) -> str:
    """Create ``lianxin_bench_<name>`` next to the configured database and return its URL."""
    import dj_database_url
    import psycopg

    url = os.environ.get("LIANXIN_DATABASE_URL", "")
    cfg = dj_database_url.parse(url)
    if "postgresql" not in cfg["ENGINE"]:
        sys.exit("benchmarks run on PostgreSQL: use `make bench` (it starts a throwaway cluster)")
    db = f"lianxin_bench_{name}"
    with psycopg.connect(host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], dbname=cfg["NAME"],
                         password=cfg["PASSWORD"] or None, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
        conn.execute(f'CREATE DATABASE "{db}"')
    return url.rsplit("/", 1)[0] + "/" + db


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    available = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    names = [n for a in argv if a != "--in-process" for n in a.split(",") if n] or available
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available) or 'none'}")
        return 2
    if not names:
        print("no benchmarks yet")
        return 0
    if "--in-process" in argv:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings_bench")
        for name in names:
            importlib.import_module(f"benchmarks.bench_{name}").run()
        return 0
    status = 0
    for name in names:
        print(f"== benchmark {name}", flush=True)
        env = {**os.environ, "LIANXIN_DATABASE_URL": _own_database(name)}
        rc = subprocess.call([sys.executable, "-m", "benchmarks", "--in-process", name], env=env)
        status = status or rc
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
