"""python -m benchmarks [name ...] — run benchmarks/bench_<name>.py (all when no name is given).
Runs under scripts/with_postgres.py, which sets LIANXIN_DATABASE_URL to a throwaway PostgreSQL cluster."""

import importlib
import os
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    available = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    names = [n for a in argv for n in a.split(",") if n] or available
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available) or 'none'}")
        return 2
    if not names:
        print("no benchmarks yet")
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings_bench")
    for name in names:
        print(f"== benchmark {name}", flush=True)
        importlib.import_module(f"benchmarks.bench_{name}").run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
