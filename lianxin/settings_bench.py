"""Benchmark settings: the test settings (fixed keys, fast hasher) on whatever database the environment names,
normally the throwaway PostgreSQL of scripts/with_postgres.py. Benchmarks create their own schema."""

from .settings_test import *  # noqa: F403

DEBUG = False
