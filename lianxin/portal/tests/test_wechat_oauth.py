"""WeChat web authorisation against a fake WeChat server on loopback: authorize redirect, code exchange,
openid; an unknown openid is bound after one SMS sign-in, a bound one signs straight in."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from lianxin.activities.testing import make_member
from lianxin.core import notify
from lianxin.portal.models import WeChatIdentity

pytestmark = pytest.mark.django_db


class FakeWeChat(BaseHTTPRequestHandler):
    codes = {"good-code": "openid-abc123", "other-code": "openid-zzz"}
    calls: list = []

    def do_GET(self):
        u = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        FakeWeChat.calls.append((u.path, q))
        if u.path == "/sns/oauth2/access_token":
            if q.get("appid") == "wxTEST" and q.get("secret") == "s3cret" and q.get("code") in self.codes:
                body = {"access_token": "AT", "expires_in": 7200, "openid": self.codes[q["code"]],
                        "scope": "snsapi_base"}
            else:
                body = {"errcode": 40029, "errmsg": "invalid code"}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *a):
        pass


@pytest.fixture
def fake_wechat(monkeypatch):
    srv = ThreadingHTTPServer(("127.0.0.1", 0), FakeWeChat)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    monkeypatch.setenv("LIANXIN_WECHAT_APPID", "wxTEST")
    monkeypatch.setenv("LIANXIN_WECHAT_SECRET", "s3cret")
    monkeypatch.setenv("LIANXIN_WECHAT_OAUTH_BASE", base)
    FakeWeChat.calls = []
    yield base
    srv.shutdown()
    srv.server_close()


def _authorize(client):
    r = client.get("/m/login/wechat/?next=/m/me/")
    assert r.status_code == 302
    loc = urlparse(r["Location"])
    q = {k: v[0] for k, v in parse_qs(loc.query).items()}
    assert loc.path == "/connect/oauth2/authorize" and q["appid"] == "wxTEST" and q["scope"] == "snsapi_base"
    assert q["redirect_uri"].endswith("/m/login/wechat/callback/")
    return q["state"]


def test_first_wechat_login_binds_after_sms_then_signs_straight_in(client, district, fake_wechat,
                                                                  django_capture_on_commit_callbacks):
    m = make_member(district.base_a1, "吴刚", mobile_no="13600001111")
    state = _authorize(client)
    r = client.get(f"/m/login/wechat/callback/?code=good-code&state={state}")
    assert r.status_code == 302 and r["Location"].startswith("/m/login/")
    assert ("/sns/oauth2/access_token", {"appid": "wxTEST", "secret": "s3cret", "code": "good-code",
                                         "grant_type": "authorization_code"}) in FakeWeChat.calls
    notify.SENT_LOG.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/m/login/", {"mobile": "13600001111", "action": "send"})
    code = re.search(r"\d{6}", notify.SENT_LOG[-1]["body"]).group()
    client.post("/m/login/", {"mobile": "13600001111", "code": code, "action": "verify"})
    assert WeChatIdentity.objects.get(openid="openid-abc123").user == m.user
    client.logout()
    state = _authorize(client)
    r = client.get(f"/m/login/wechat/callback/?code=good-code&state={state}")
    assert r.status_code == 302 and r["Location"] == "/m/me/"
    assert "吴刚" in client.get("/m/me/").content.decode()


def test_bad_state_or_code_is_refused(client, district, fake_wechat):
    _authorize(client)
    r = client.get("/m/login/wechat/callback/?code=good-code&state=forged")
    assert r["Location"] == "/m/login/" and not WeChatIdentity.objects.exists()
    state = _authorize(client)
    r = client.get(f"/m/login/wechat/callback/?code=bad&state={state}", follow=True)
    assert "微信授权失败" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_unreachable_wechat_is_a_chinese_message(client, district, monkeypatch):
    monkeypatch.setenv("LIANXIN_WECHAT_APPID", "wxTEST")
    monkeypatch.setenv("LIANXIN_WECHAT_SECRET", "s3cret")
    monkeypatch.setenv("LIANXIN_WECHAT_OAUTH_BASE", "http://127.0.0.1:9")
    state = _authorize(client)
    r = client.get(f"/m/login/wechat/callback/?code=x&state={state}", follow=True)
    assert "无法连接微信服务器" in r.content.decode()


def test_not_configured_falls_back_to_sms(client, monkeypatch):
    monkeypatch.delenv("LIANXIN_WECHAT_APPID", raising=False)
    r = client.get("/m/login/wechat/")
    assert r["Location"] == "/m/login/"
