"""Test settings: fixed throwaway keys (never used outside tests), fast password hashing, tasks run
immediately unless a test asks for the database backend. The database still comes from the environment,
so `make test-pg` runs the same suite on PostgreSQL."""

import os

os.environ.setdefault("LIANXIN_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("LIANXIN_FIELD_KEYS", "t1:" + "A" * 43)
os.environ.setdefault("LIANXIN_BLIND_INDEX_KEY", "B" * 43)
os.environ.setdefault("LIANXIN_FAST_PASSWORD_HASHER", "1")
os.environ.setdefault("LIANXIN_TASK_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("LIANXIN_ENV_FILE", "/nonexistent")
os.environ.setdefault("LIANXIN_VAR_DIR", "/tmp/lianxin-test-var")

from .settings import *  # noqa: E402,F403
from .settings import VAR_DIR  # noqa: E402

MEDIA_ROOT = VAR_DIR / f"private-{os.getpid()}"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AXES_FAILURE_LIMIT = 5
# Other apps' tests sign staff in with a password or force_login and do not know the code step; the OTP tests
# (lianxin/accounts/tests) switch it back on with the `settings` fixture. Fixed here, not from the environment,
# so an exported LIANXIN_STAFF_OTP cannot change what the suite tests.
LIANXIN_STAFF_OTP = "off"
