"""After SMS sign-in, a card scan and a mobile correction (a workflow ``profile_correction`` application), no
plaintext mobile and no plaintext SMS code is anywhere in the database (sessions, rate buckets, codes, outbox,
applications)."""

import re

import pytest

from lianxin.activities.testing import make_member
from lianxin.core import notify
from lianxin.core.tests.test_pii_at_rest import dump_database

pytestmark = [pytest.mark.pg, pytest.mark.django_db(transaction=True)]


def test_no_plaintext_mobile_or_code_at_rest(client):
    from lianxin.core.testing import build_district

    d = build_district()
    make_member(d.base_a1, "冯雪", mobile_no="13655557777")
    notify.SENT_LOG.clear()
    client.post("/m/login/", {"mobile": "13655557777", "action": "send"})
    code = re.search(r"\d{6}", notify.SENT_LOG[-1]["body"]).group()
    client.post("/m/login/", {"mobile": "13655557777", "code": code, "action": "verify"})
    r = client.post("/m/apply/profile_correction/", {"mobile": "13566668888", "action": "submit"})
    assert r.status_code == 302
    from lianxin.workflow.models import Application

    assert Application.objects.get(programme="profile_correction").form["mobile"] == "135****8888"
    client.get("/m/card/")
    dump = dump_database()
    for secret in ("13655557777", "13566668888"):
        assert secret not in dump
    # The outbox held the SMS text until delivery; once the code was used it was blanked.
    assert "登录验证码是" not in dump and f"是 {code}" not in dump
