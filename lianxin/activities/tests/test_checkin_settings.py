"""The check-in code lifetime and the check-in window are deployment settings, LIANXIN_CHECKIN_CODE_MINUTES
(default 30) and LIANXIN_CHECKIN_OPENS_MINUTES_BEFORE (default 120), read at each scan, so changing them takes
effect without a code change; a value that is not a whole number in range stops start-up with a message naming
the variable."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from lianxin.activities import services
from lianxin.activities.testing import make_activity, make_activity_at_the_door, make_member
from lianxin.activities.tests.test_checkin_expiry_and_window import aged_token

ROOT_DIR = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_defaults_are_the_former_constants(settings):
    assert settings.LIANXIN_CHECKIN_CODE_MINUTES == 30 and settings.LIANXIN_CHECKIN_OPENS_MINUTES_BEFORE == 120
    assert services.checkin_code_ttl() == 30 * 60
    assert services.checkin_opens_before() == dt.timedelta(hours=2)


@pytest.mark.pg
@pytest.mark.django_db
def test_code_lifetime_follows_the_setting(district):
    a = make_activity_at_the_door(district.fed)
    s = services.sign_up(actor=make_member(district.base_a1, "短码").user, activity_id=a.pk)
    staff = district.users["fed.reviewer"]
    twenty_minutes_old = aged_token(s, 20 * 60)
    with override_settings(LIANXIN_CHECKIN_CODE_MINUTES=10):
        assert services.checkin_code_ttl() == 600
        r = services.check_in(actor=staff, token=twenty_minutes_old, activity_id=a.pk)
        assert not r.ok and r.message == services.CHECKIN_EXPIRED
        assert services.check_in(actor=staff, token=aged_token(s, 9 * 60), activity_id=a.pk).ok
    s.refresh_from_db()
    assert s.checked_in_at is not None

    other = services.sign_up(actor=make_member(district.base_a1, "长码").user, activity_id=a.pk)
    fifty_minutes_old = aged_token(other, 50 * 60)
    assert services.check_in(actor=staff, token=fifty_minutes_old, activity_id=a.pk).message == \
        services.CHECKIN_EXPIRED  # the default 30 minutes
    with override_settings(LIANXIN_CHECKIN_CODE_MINUTES=60):
        assert services.check_in(actor=staff, token=fifty_minutes_old, activity_id=a.pk).ok


@pytest.mark.pg
@pytest.mark.django_db
def test_window_opening_follows_the_setting(district, client):
    a = make_activity(district.fed, starts_in=dt.timedelta(hours=3))
    s = services.sign_up(actor=make_member(district.base_a1, "早到者").user, activity_id=a.pk)
    staff = district.users["fed.reviewer"]
    assert not services.checkin_open(a)  # by default the door opens 2 hours ahead
    r = services.check_in(actor=staff, token=services.checkin_token(s), activity_id=a.pk)
    opens = timezone.localtime(a.starts_at - dt.timedelta(hours=2))
    assert not r.ok and r.message == f"签到尚未开始，{opens:%m月%d日 %H:%M} 起可签到"

    with override_settings(LIANXIN_CHECKIN_OPENS_MINUTES_BEFORE=240):
        opens, closes = services.checkin_window(a)
        assert opens == a.starts_at - dt.timedelta(hours=4) and closes == a.ends_at
        assert services.checkin_open(a)
        client.force_login(s.person.user)
        html = client.get(f"/m/activities/{a.pk}/").content.decode()
        assert 'id="checkin-qr"' in html  # the member's page follows the same window
        assert 'content="300"' in html  # and reloads a sixth of the code's lifetime (30 min) later
        with override_settings(LIANXIN_CHECKIN_CODE_MINUTES=12):
            assert 'content="120"' in client.get(f"/m/activities/{a.pk}/").content.decode()
        assert services.check_in(actor=staff, token=services.checkin_token(s), activity_id=a.pk).ok

    with override_settings(LIANXIN_CHECKIN_OPENS_MINUTES_BEFORE=60):
        assert services.checkin_window(a)[0] == a.starts_at - dt.timedelta(hours=1)
        assert not services.checkin_open(a)


def _load_settings(**env):
    """Import lianxin.settings in a fresh interpreter with ``env`` set; returns (exit code, stderr)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LIANXIN_")}
    clean.update({"LIANXIN_SECRET_KEY": "x" * 50, "LIANXIN_ENV_FILE": "/nonexistent",
                  "LIANXIN_VAR_DIR": "/tmp/lianxin-test-var"}, **env)
    code = ("import lianxin.settings as s; print(s.LIANXIN_CHECKIN_CODE_MINUTES, "
            "s.LIANXIN_CHECKIN_OPENS_MINUTES_BEFORE, s.LIANXIN_TEMP_PASSWORD_HOURS)")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT_DIR, env=clean, capture_output=True, text=True,
                       timeout=120)
    return p.returncode, p.stdout.strip(), p.stderr


def test_settings_come_from_the_environment_and_bad_values_stop_start_up():
    assert _load_settings()[:2] == (0, "30 120 72")
    assert _load_settings(LIANXIN_CHECKIN_CODE_MINUTES=" 15 ", LIANXIN_CHECKIN_OPENS_MINUTES_BEFORE="45",
                          LIANXIN_TEMP_PASSWORD_HOURS="24")[:2] == (0, "15 45 24")
    for name in ("LIANXIN_CHECKIN_CODE_MINUTES", "LIANXIN_CHECKIN_OPENS_MINUTES_BEFORE",
                 "LIANXIN_TEMP_PASSWORD_HOURS"):
        for bad in ("0", "-5", "1.5", "abc", "３０", "1_0", "99999999"):
            rc, out, err = _load_settings(**{name: bad})
            assert rc != 0 and out == "", (name, bad)
            assert f"{name} must be a whole number from 1 to" in err and repr(bad) in err, (name, bad, err)
