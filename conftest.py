"""Shared fixtures. Tests marked ``pgonly`` need PostgreSQL (concurrent transactions) and are skipped on
SQLite; tests marked ``pg`` run on both databases; ``browser`` tests drive Debian chromium."""

import io
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


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` (small: 400 people, 40 enterprises) loaded once for a whole module of read-mostly tests (the
    crawls), where seeding per test cost ~20 s each. It is written inside a transaction that stays open around
    the module's tests — each test's own transaction (the ``db`` fixture) nests in it as a savepoint and is rolled
    back as usual, so a test's writes never reach the next — and rolled back after the last one. Only for modules
    without ``transaction=True`` tests (those flush the database). Under ``make test``'s workers (pytest-xdist,
    ``--dist load``) each worker seeds it once per run of the module's tests it is dealt."""
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("demo-media"))):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                call_command("seed_demo", people=400, enterprises=40, stdout=io.StringIO())
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        try:
            yield
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
