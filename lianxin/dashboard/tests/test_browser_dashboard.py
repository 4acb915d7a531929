"""Chromium: a federation leader opens 领导驾驶舱 on the demo district, reads figures that agree with the
selectors, drills down into a street and back, looks at last year and takes the Excel report; the page raises
no JavaScript error and asks nothing of any other site."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from lianxin.dashboard import selectors
from lianxin.orgs.models import Organization, OrgKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("#chart-trend", "#chart-ages", "#chart-children")


def is_favicon(url: str) -> bool:
    """The browser's own favicon probe: the console has no icon, so it is a 404 that no page script made."""
    return url.split("?")[0].endswith("/favicon.ico")


def kpis(d: dict) -> dict[str, str]:
    """What the KPI tiles must read for the figures ``d``, worked out from compute() alone."""
    return {
        "#kpi-members": str(d["members"]["total"]),
        "#kpi-unions": str(d["unions"]),
        "#kpi-coverage": f"{d['enterprises']['rate']}%",
        "#kpi-small": f"{d['enterprises']['small_micro_rate']}%",
        "#kpi-pending": str(d["applications"]["pending"]),
        "#kpi-trips": f"{d['applications']['one_trip_pct']}%",
        "#kpi-activities": str(d["activities"]["held"]),
        "#kpi-articles": str(d["content"]["articles"]),
        # the union services (工会服务 card)
        "#work-volunteers": str(d["volunteers"]["approved"]),
        "#work-hours": str(d["volunteers"]["hours"]),
        "#work-competitions": str(d["talent"]["competitions"]),
        "#work-titles": str(d["talent"]["titles"]),
        "#work-innovation": str(d["talent"]["innovation_entries"]),
        "#work-homes": str(d["governance"]["homes_named"]),
        "#work-elections": str(d["governance"]["elections"]),
        "#work-enrolled": str(d["mutualaid"]["enrolled"]),
        "#work-homeward": str(d["homeward"]["confirmed"]),
        "#work-posts": str(d["jobs"]["posts"]),
        "#work-placements": str(d["jobs"]["placements"]),
    }


def assert_kpis(page, d: dict):
    for selector, expected in kpis(d).items():
        assert page.inner_text(selector).strip() == expected, selector


def wait_for_charts(page, ids=CHARTS):
    for chart in ids:
        canvas = page.wait_for_selector(f"{chart} canvas", state="attached")
        box = canvas.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, chart


def assert_fits(page):
    """At 1280 px nothing pushes the page sideways and no chart overlaps another one."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"page is {width}px wide"
    boxes = [page.locator(c).bounding_box() for c in CHARTS]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"]
                or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"]
                or b["y"] + b["height"] <= a["y"]
            )
            assert apart, (a, b)


def test_federation_leader_reads_drills_down_and_exports(page, live_server, screenshot_dir, tmp_path):
    call_command("seed_demo", people=400, enterprises=60)
    from lianxin.orgs.management.commands.seed_demo import DEMO_PASSWORD

    cache.clear()  # the live server shares this process's cache: no figures left over from another test
    fed = Organization.objects.get(kind=OrgKind.FEDERATION)
    street = Organization.objects.get(parent=fed, kind=OrgKind.STREET, name="白杨街道总工会")
    year = timezone.localdate().year

    errors, foreign = [], []

    def console(msg):
        url = msg.location.get("url", "")
        if msg.type == "error" and not is_favicon(url):
            errors.append(f"console: {msg.text} ({url})")

    def request(req):
        if not req.url.startswith(live_server.url):
            foreign.append(req.url)

    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", console)
    page.on("request", request)

    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=username]", "qt_viewer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"))

    # 1. the top navigation's 驾驶舱: the federation's figures, as compute() counts them
    page.locator(".mainnav").get_by_role("link", name="驾驶舱", exact=True).click()
    page.wait_for_url(re.compile(r"/console/dashboard/$"))
    wait_for_charts(page)
    assert page.inner_text("h1") == f"领导驾驶舱 · {fed.name}"
    figures = selectors.compute(fed, year)
    assert figures["members"]["total"] > 0 and figures["children"]
    assert_kpis(page, figures)
    children = page.inner_text("#children-table")
    for c in figures["children"]:
        assert c["name"] in children
    work = page.inner_text("#children-work-table")  # the union services, child by child
    for c in figures["children"]:
        assert c["name"] in work

    # 2. how it looks at 1280 px
    assert_fits(page)
    page.screenshot(path=str(screenshot_dir / "dashboard-federation.png"), full_page=True)

    # 3. down into a street from the 下级单位 table, and back up through the breadcrumb
    row = next(c for c in figures["children"] if c["id"] == street.pk)
    page.locator("#children-table a", has_text=street.name).click()
    page.wait_for_url(re.compile(rf"[?&]org={street.pk}\b"))
    wait_for_charts(page)
    assert page.inner_text("h1") == f"领导驾驶舱 · {street.name}"
    crumbs = page.locator("nav.crumbs")
    assert [s.strip() for s in crumbs.inner_text().split("›")] == [fed.name, street.name]
    street_figures = selectors.compute(street, year)
    assert page.inner_text("#kpi-members") == str(street_figures["members"]["total"]) == str(row["members"])
    assert_kpis(page, street_figures)
    page.screenshot(path=str(screenshot_dir / "dashboard-street.png"), full_page=True)
    crumbs.get_by_role("link", name=fed.name, exact=True).click()
    page.wait_for_url(re.compile(rf"[?&]org={fed.pk}\b"))
    wait_for_charts(page)
    assert page.inner_text("h1") == f"领导驾驶舱 · {fed.name}"

    # 4. last year
    page.select_option("select[name=year]", str(year - 1))
    page.locator("form.toolbar").get_by_role("button", name="查看", exact=True).click()
    page.wait_for_url(re.compile(rf"[?&]year={year - 1}\b"))
    wait_for_charts(page)
    assert page.input_value("select[name=year]") == str(year - 1)
    assert f"{year - 1} 年截至 {year - 1}-12-31" in page.inner_text(".dash-note")
    assert f"逐月情况（{year - 1} 年）" in page.inner_text(".dash-grid")
    last_year = selectors.compute(fed, year - 1)
    assert_kpis(page, last_year)
    assert page.locator("#trend-table tr").count() == 1 + 12

    # 5. the Excel report of what the page shows
    with page.expect_download() as dl:
        page.click("text=导出报表（Excel）")
    assert dl.value.suggested_filename == f"{fed.name}-{year - 1}年工作数据.xlsx"
    report = tmp_path / "dashboard.xlsx"
    dl.value.save_as(report)
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(report)).get_sheet_by_name("概览").to_python()
    assert sheet[0] == ["指标", "数值"]
    summary = {label: value for label, value, *_ in sheet[1:]}
    assert summary["统计组织"] == fed.name and int(summary["统计年度"]) == year - 1
    assert int(summary["在册会员"]) == int(page.inner_text("#kpi-members")) == last_year["members"]["total"]
    assert (
        summary["本年志愿服务时长（小时）"]
        == float(page.inner_text("#work-hours"))
        == last_year["volunteers"]["hours"]
    )
    assert (
        int(summary["本年就业录用"])
        == int(page.inner_text("#work-placements"))
        == last_year["jobs"]["placements"]
    )

    # 6. no script error, nothing fetched from anywhere else
    assert errors == []
    assert foreign == []
