"""Every page speaks Chinese whatever language the phone or browser asks for.

LocaleMiddleware follows the request's Accept-Language among ``LANGUAGES``; with Django's default list an en-US
phone got Django's own English on our Chinese pages (a venue's slots read "12月9日 Wed", required fields "This
field is required."). ``LANGUAGES`` now holds only zh-hans; the last test shows the check bites with the default
list."""

import pytest
from django.conf import global_settings
from django.test import override_settings

pytestmark = pytest.mark.django_db

ASKS = ["en-US,en;q=0.9", "en", "ja,en;q=0.5", "zh-TW", ""]


def form_errors(client, user, accept: str):
    """A staff form sent empty: Django's own field messages."""
    client.force_login(user)
    r = client.post("/console/people/new/", {"name": ""}, HTTP_ACCEPT_LANGUAGE=accept)
    assert r.status_code == 200
    return r, r.content.decode()


@pytest.mark.parametrize("accept", ASKS)
def test_console_and_portal_answer_in_chinese(client, district, accept):
    r, html = form_errors(client, district.users["street_a.admin"], accept)
    assert r["Content-Language"] == "zh-hans"
    assert "这个字段是必填项" in html and "This field is required" not in html
    r = client.get("/m/login/", HTTP_ACCEPT_LANGUAGE=accept)
    assert r["Content-Language"] == "zh-hans"


def test_the_check_bites_with_every_language_enabled(client, district):
    with override_settings(LANGUAGES=global_settings.LANGUAGES):
        r, html = form_errors(client, district.users["street_a.admin"], "en-US,en;q=0.9")
    assert r["Content-Language"] == "en" and "This field is required" in html


def test_length_and_range_errors_in_plain_words(client, district):
    """Our catalog replaces Django's "确保该变量包含不超过 50 字符" with what to do."""
    client.force_login(district.users["street_a.admin"])
    html = client.post("/console/people/new/", {"name": "张" * 5000}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "最多只能填" in html and "现在是 5000 个" in html and "变量" not in html
