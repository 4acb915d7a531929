"""Shared fixtures. Tests marked ``pgonly`` need PostgreSQL (concurrent transactions) and are skipped on
SQLite; tests marked ``pg`` run on both databases; ``browser`` tests drive Debian chromium."""

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("LIANXIN_TEST_ARTIFACTS", Path(__file__).parent / "test-artifacts"))


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (make test-pg)")
        for item in items:
            if "pgonly" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def district(db):
    from lianxin.core.testing import build_district

    return build_district()


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.fail("chromium is not installed: run `make browser-deps` (apt-get install chromium fonts-noto-cjk)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _browser_hangs_up_before_the_server_stops(request):
    """Close a browser test's pages and wait for the live server's request threads before anything is torn down.

    Chromium keeps HTTP/1.1 connections open, so each one holds a live-server request thread. pytest may stop
    the session's ``live_server`` right after the last test that uses it (its item reordering), and the server's
    stop ends the in-memory SQLite connection's thread sharing; a request thread that closes after that raised
    "DatabaseWrapper objects created in a thread can only be used in that same thread" (seen as
    PytestUnhandledThreadExceptionWarning noise in later, unrelated tests)."""
    yield
    if "chromium" not in request.fixturenames:
        return
    for ctx in list(request.getfixturevalue("chromium").contexts):
        ctx.close()
    import threading

    for t in threading.enumerate():
        if t.name.endswith("(process_request_thread)"):
            t.join(timeout=10)


@pytest.fixture
def page(chromium):
    ctx = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    ctx.close()


@pytest.fixture
def phone_page(chromium):
    ctx = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 375, "height": 740},
                               is_mobile=True, has_touch=True, device_scale_factor=2)
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    ctx.close()


@pytest.fixture
def screenshot_dir():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
