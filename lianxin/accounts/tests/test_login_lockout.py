"""Password login hardening (issue 2): argon2 hashes in production settings, and django-axes locks an account
after 5 failed console logins — with a Chinese page — so that even the right password fails while locked."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY

from lianxin.core.testing import PASSWORD

ROOT_DIR = Path(__file__).resolve().parents[3]


def test_production_settings_hash_passwords_with_argon2(tmp_path):
    """Load the real settings module in a fresh interpreter whose environment has no test switches (the test
    settings turn on a fast hasher, so checking them here would prove nothing), and hash a password."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LIANXIN_", "DJANGO_")) and k not in ("DATABASE_URL",)}
    env.update({
        "DJANGO_SETTINGS_MODULE": "lianxin.settings",
        "LIANXIN_SECRET_KEY": "x" * 50,
        "LIANXIN_ENV_FILE": str(tmp_path / "absent.env"),  # no development env file either
        "LIANXIN_VAR_DIR": str(tmp_path),
    })
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.contrib.auth.hashers import make_password, check_password\n"
        "h = make_password('Lianxin#2026')\n"
        "print(settings.PASSWORD_HASHERS[0]); print(h.split('$')[0]); print(check_password('Lianxin#2026', h))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT_DIR, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    first, algorithm, ok = out.stdout.split()
    assert first == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert algorithm == "argon2" and ok == "True"


def _login(client, username, password):
    return client.post("/console/login/", {"username": username, "password": password})


@pytest.mark.pg
@pytest.mark.django_db
def test_five_failed_logins_lock_the_account(district, client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    user = district.users["street_a.admin"]
    for i in range(4):
        r = _login(client, user.username, f"wrong-{i}")
        assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()
        assert SESSION_KEY not in client.session
    r = _login(client, user.username, "wrong-4")  # the fifth failure locks
    locked_status = r.status_code
    assert locked_status in (403, 429)
    assert "账号已暂时锁定" in r.content.decode()
    # the right password now fails too, with the same Chinese page, and no session is made
    r = _login(client, user.username, PASSWORD)
    assert r.status_code == locked_status and "账号已暂时锁定" in r.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get("/console/").status_code == 302  # still sent to the login page
    # another account from the same address is not locked
    other = district.users["street_b.admin"]
    r = _login(client, other.username, PASSWORD)
    assert r.status_code == 302 and client.session[SESSION_KEY] == str(other.pk)


@pytest.mark.django_db
def test_fewer_failures_then_the_right_password_logs_in(district, client):
    user = district.users["street_a.viewer"]
    for i in range(4):
        _login(client, user.username, f"wrong-{i}")
    r = _login(client, user.username, PASSWORD)
    assert r.status_code == 302 and client.session[SESSION_KEY] == str(user.pk)
