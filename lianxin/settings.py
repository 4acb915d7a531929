"""Lianxin settings. Everything that differs between a laptop and a district deployment comes from the
environment (see README): database, keys, hosts, cache, task backend. Nothing here is edited per deployment."""

import os
import re
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LIANXIN_VAR_DIR", BASE_DIR / "var"))


def _load_env_file(path: Path) -> None:
    """Development convenience: KEY=VALUE lines from var/local.env (written by make run) fill in variables
    the environment does not already set. Production sets the environment and has no such file."""
    if path.is_file():
        for line in path.read_text().splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and key and not key.startswith("#"):
                os.environ.setdefault(key, value)


_load_env_file(Path(os.environ.get("LIANXIN_ENV_FILE", VAR_DIR / "local.env")))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_positive_int(name: str, default: int, maximum: int = 100_000) -> int:
    """A whole number from 1 to ``maximum`` (plain ASCII digits) from the environment, ``default`` when unset;
    anything else stops start-up with a message naming the variable — a typo must not silently become 0, a
    negative window or a duration too large to add to a date."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else 0
    if not 1 <= value <= maximum:
        raise RuntimeError(f"{name} must be a whole number from 1 to {maximum}, got {raw!r}")
    return value


DEBUG = env_bool("LIANXIN_DEBUG", False)
SECRET_KEY = os.environ.get("LIANXIN_SECRET_KEY") or ("insecure-dev-only-" + "x" * 40 if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("LIANXIN_SECRET_KEY is not set (make run writes var/local.env for development)")
ALLOWED_HOSTS = [h for h in os.environ.get("LIANXIN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("LIANXIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "unfold",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",  # staff second factor: TOTP + single-use backup codes (lianxin/accounts/otp.py)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",  # self-hosted Swagger UI assets for /api/docs (no CDN)
    "django_tasks_db",
    "lianxin.core",
    "lianxin.accounts",
    "lianxin.orgs",
    "lianxin.members",
    "lianxin.rosters",
    "lianxin.workflow",
    "lianxin.content",
    "lianxin.activities",
    "lianxin.venues",
    "lianxin.portal",
    "lianxin.assistance",
    "lianxin.mutualaid",
    "lianxin.dashboard",
    "lianxin.talent",
    "lianxin.volunteers",
    "lianxin.party",
    "lianxin.training",
    "lianxin.care",
    "lianxin.governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lianxin.core.routers.ReplicaMiddleware",  # marks safe requests whose reads may go to a replica
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "lianxin.core.admin_scoping.AdminCSPMiddleware",  # after CSPMiddleware: admin-only 'unsafe-eval' for unfold
    "axes.middleware.AxesMiddleware",
    "lianxin.accounts.otp.StaffOTPMiddleware",  # staff sessions pass the code step before anything else
]

ROOT_URLCONF = "lianxin.urls"
WSGI_APPLICATION = "lianxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lianxin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# Database: LIANXIN_DATABASE_URL (or DATABASE_URL), embedded SQLite by default.
_default_sqlite = f"sqlite:///{VAR_DIR / 'lianxin.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("LIANXIN_DATABASE_URL") or os.environ.get("DATABASE_URL") or _default_sqlite,
        conn_max_age=int(os.environ.get("LIANXIN_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the task worker and the web server share the embedded database.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Read replicas: LIANXIN_REPLICA_URLS (comma-separated URLs) -> aliases replica_1, replica_2…; only safe requests
# not just after the same browser's write read from them (lianxin/core/routers.py). None by default.
from lianxin.core.routers import replica_databases  # noqa: E402

DATABASES.update(replica_databases(os.environ.get("LIANXIN_REPLICA_URLS", ""), DATABASES["default"],
                                   conn_max_age=int(os.environ.get("LIANXIN_CONN_MAX_AGE", "0"))))
LIANXIN_REPLICAS = [alias for alias in DATABASES if alias != "default"]
LIANXIN_REPLICA_PIN_SECONDS = env_positive_int("LIANXIN_REPLICA_PIN_SECONDS", 10, maximum=3600)
DATABASE_ROUTERS = ["lianxin.core.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Cache: the database by default; LIANXIN_REDIS_URL for several app servers (rate limits must be shared).
if os.environ.get("LIANXIN_REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["LIANXIN_REDIS_URL"]}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # sessions read from Redis, kept in the DB
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "lianxin_cache"}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("LIANXIN_FAST_PASSWORD_HASHER"):  # tests and seed only; never in production
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/console/login/"
LOGIN_REDIRECT_URL = "/console/"

# Lockout after repeated failures (django-axes), per user name and address.
AXES_FAILURE_LIMIT = env_positive_int("LIANXIN_LOCKOUT_FAILURES", 5, maximum=100)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "console/locked.html"
AXES_VERBOSE = False

# Staff second factor (django-otp). "required" everywhere but the local demo, whose var/local.env says "off".
LIANXIN_STAFF_OTP = os.environ.get("LIANXIN_STAFF_OTP", "required").strip().lower()
if LIANXIN_STAFF_OTP not in ("required", "off"):
    raise RuntimeError("LIANXIN_STAFF_OTP must be 'required' or 'off'")
# A temporary password an administrator issues (accounts.services.reset_staff_password) stops working this many
# hours later (lianxin/accounts/models.py, User.check_password).
LIANXIN_TEMP_PASSWORD_HOURS = env_positive_int("LIANXIN_TEMP_PASSWORD_HOURS", 72, maximum=24 * 366)
# least minutes between two SMS/WeChat work reminders to one staff member (accounts.services, "work reminders")
LIANXIN_STAFF_SMS_MINUTES = env_positive_int("LIANXIN_STAFF_SMS_MINUTES", 30, maximum=24 * 60)
OTP_TOTP_ISSUER = "连心工作台"
OTP_TOTP_THROTTLE_FACTOR = 1  # after n successive wrong codes wait 2^(n-1) s; 0 would switch throttling off
OTP_STATIC_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "zh-hans"
# the only language: LocaleMiddleware would otherwise follow the browser's Accept-Language and give an en-US phone
# Django's own English (form errors, weekday names)
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "lianxin" / "locale"]  # our catalog for strings unfold ships untranslated
TIME_ZONE = "Asia/Shanghai"  # shown; stored in UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "lianxin" / "static", BASE_DIR / "build" / "static"]
# Uploaded files live outside the web root and are only served through views that check scope.
MEDIA_ROOT = Path(os.environ.get("LIANXIN_MEDIA_ROOT", VAR_DIR / "private"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("LIANXIN_SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("LIANXIN_SECURE_COOKIES")
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: everything from our own host; nothing from a CDN.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Background work: Django's Tasks API with the database backend (worker: manage.py db_worker).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("LIANXIN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Field encryption (rule 2). LIANXIN_FIELD_KEYS = "kid1:base64key,kid2:base64key"; the first encrypts,
# all decrypt (rotation). LIANXIN_BLIND_INDEX_KEY = base64 HMAC key for exact lookup and dedupe.
LIANXIN_FIELD_KEYS = os.environ.get("LIANXIN_FIELD_KEYS", "")
LIANXIN_BLIND_INDEX_KEY = os.environ.get("LIANXIN_BLIND_INDEX_KEY", "")

# Activities: a member's check-in QR code is accepted this many minutes after it was shown, and the door opens
# this many minutes before the start (lianxin/activities/services.py).
LIANXIN_CHECKIN_CODE_MINUTES = env_positive_int("LIANXIN_CHECKIN_CODE_MINUTES", 30, maximum=24 * 60)
LIANXIN_CHECKIN_OPENS_MINUTES_BEFORE = env_positive_int("LIANXIN_CHECKIN_OPENS_MINUTES_BEFORE", 120,
                                                       maximum=7 * 24 * 60)

# Outbound message adapters (console by default).
LIANXIN_SMS_BACKEND = os.environ.get("LIANXIN_SMS_BACKEND", "lianxin.core.notify.ConsoleSMS")
LIANXIN_WECHAT_BACKEND = os.environ.get("LIANXIN_WECHAT_BACKEND", "lianxin.core.notify.ConsoleWeChat")

UNFOLD = {
    "SITE_TITLE": "连心 · 后台",
    "SITE_HEADER": "连心 后台管理",
    "SHOW_LANGUAGES": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIANXIN_LOG_LEVEL", "WARNING")},
}
