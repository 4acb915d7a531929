"""WeChat official-account web authorisation (网页授权), configured entirely by the environment:

    LIANXIN_WECHAT_APPID, LIANXIN_WECHAT_SECRET
    LIANXIN_WECHAT_OAUTH_BASE   authorize host, default https://open.weixin.qq.com
    LIANXIN_WECHAT_API_BASE     token host, default https://api.weixin.qq.com (tests: a loopback fake)

Flow: /m/login/wechat/ redirects to ``{OAUTH_BASE}/connect/oauth2/authorize`` with a one-time ``state`` kept in
the session; WeChat sends the browser back to /m/login/wechat/callback/?code=…&state=…; we exchange the code
at ``{API_BASE}/sns/oauth2/access_token`` for an access token and the user's openid. A bound openid signs the
user straight in; an unknown one is held in the session until the person proves a mobile by SMS once.
``snsapi_base`` is enough: we need the openid, not the WeChat profile (less personal data).
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from lianxin.core.errors import ServiceError

TIMEOUT = 5


@dataclass(frozen=True)
class WeChatConfig:
    appid: str
    secret: str
    oauth_base: str
    api_base: str

    @classmethod
    def from_env(cls) -> WeChatConfig | None:
        appid, secret = os.environ.get("LIANXIN_WECHAT_APPID", ""), os.environ.get("LIANXIN_WECHAT_SECRET", "")
        if not appid or not secret:
            return None
        oauth = os.environ.get("LIANXIN_WECHAT_OAUTH_BASE", "https://open.weixin.qq.com").rstrip("/")
        api = os.environ.get("LIANXIN_WECHAT_API_BASE", "") or (
            oauth if "LIANXIN_WECHAT_OAUTH_BASE" in os.environ else "https://api.weixin.qq.com")
        return cls(appid, secret, oauth, api.rstrip("/"))


def new_state() -> str:
    return secrets.token_urlsafe(16)


def authorize_url(cfg: WeChatConfig, *, redirect_uri: str, state: str) -> str:
    q = urllib.parse.urlencode({"appid": cfg.appid, "redirect_uri": redirect_uri, "response_type": "code",
                                "scope": "snsapi_base", "state": state})
    return f"{cfg.oauth_base}/connect/oauth2/authorize?{q}#wechat_redirect"


def exchange_code(cfg: WeChatConfig, code: str) -> str:
    """Code -> openid. WeChat answers errors as JSON with ``errcode``; any failure is a Chinese ServiceError."""
    if not code or len(code) > 256:
        raise ServiceError("微信授权失败：缺少授权码", code="wechat")
    q = urllib.parse.urlencode({"appid": cfg.appid, "secret": cfg.secret, "code": code,
                                "grant_type": "authorization_code"})
    try:
        with urllib.request.urlopen(f"{cfg.api_base}/sns/oauth2/access_token?{q}", timeout=TIMEOUT) as r:
            data = json.loads(r.read(65536).decode())
    except (urllib.error.URLError, TimeoutError, ValueError, OSError):
        raise ServiceError("微信授权失败：无法连接微信服务器，请稍后再试", code="wechat") from None
    if not isinstance(data, dict) or data.get("errcode") or not data.get("openid") or not data.get("access_token"):
        raise ServiceError("微信授权失败，请重试", code="wechat")
    openid = str(data["openid"])
    if len(openid) > 64:
        raise ServiceError("微信授权失败：返回数据异常", code="wechat")
    return openid
