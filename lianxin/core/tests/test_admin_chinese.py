"""The admin back office speaks Chinese, unfold's own strings included.

django-unfold ships no translations, so every string its templates and Python use that Django's zh_Hans
catalog lacks ("Filters", "Apply Filters", "Select value", the theme switch, the shortcut help...) used to
render in English. lianxin/locale/zh_Hans/LC_MESSAGES/django.po (LOCALE_PATHS) supplies them. These tests
pin that down three ways:

* the pages: a changelist with filters open and an add form, as the federation administrator, show the
  Chinese strings and none of the English ones — and, with our catalog switched off, do show the English
  ones, so the check is known to bite;
* completeness: every msgid the *installed* unfold uses (templates' trans/blocktrans, Python gettext calls,
  with their context and plural) is translated by Django's catalogs or ours, so an unfold upgrade that adds
  strings fails here with the list to translate; likewise unfold's admin JavaScript against the admin's
  djangojs catalog;
* the committed django.mo is the compiled django.po (CI machines may lack gettext, so the .mo is committed).

The msgids are read without gettext tools: Django's ``templatize`` turns a template into gettext calls
(what ``makemessages`` feeds xgettext) and ``tokenize`` finds the calls in that and in Python sources.
"""

from __future__ import annotations

import ast
import gettext as gettext_module
import io
import json
import re
import tokenize
from pathlib import Path

import pytest
import unfold
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.sites import site as admin_site
from django.utils import translation
from django.utils.translation.template import templatize
from django.utils.translation.trans_real import DjangoTranslation

from lianxin.core.testing import PASSWORD, make_enterprise
from lianxin.orgs.models import Enterprise

LOCALE_DIR = Path(settings.BASE_DIR) / "lianxin" / "locale"
PO_PATH = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.mo"
UNFOLD_DIR = Path(unfold.__file__).parent
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

# name -> argument layout: s = msgid, p = msgid + plural, c.. = context first.
GETTEXT_CALLS = {
    "_": "s", "gettext": "s", "gettext_lazy": "s", "gettext_noop": "s",
    "ngettext": "p", "ngettext_lazy": "p",
    "pgettext": "cs", "pgettext_lazy": "cs",
    "npgettext": "cp", "npgettext_lazy": "cp",
}
N_ARGS = {"s": 1, "p": 2, "cs": 2, "cp": 3}


# ---------------------------------------------------------------------------------------------------------
# Reading msgids out of unfold


def _gettext_calls(source: str):
    """Yield (function name, [argument token lists]) for each gettext-style call in Python-like source."""
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT,
                                tokenize.DEDENT)]
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NAME or tok.string not in GETTEXT_CALLS:
            continue
        if i + 1 >= len(tokens) or tokens[i + 1].string != "(":
            continue
        if i > 0 and tokens[i - 1].string in (".", "def"):  # obj._(...) / def gettext(...): not a call of ours
            continue
        args, current, depth = [], [], 0
        for t in tokens[i + 2:]:
            if t.type == tokenize.OP and t.string in "([{":
                depth += 1
            elif t.type == tokenize.OP and t.string in ")]}":
                if depth == 0:
                    args.append(current)
                    break
                depth -= 1
            if t.type == tokenize.OP and t.string == "," and depth == 0:
                args.append(current)
                current = []
            else:
                current.append(t)
        yield tok.string, args


def _literal(arg_tokens) -> str | None:
    """The value of an argument made only of (implicitly concatenated) string literals, else None."""
    if arg_tokens and all(t.type == tokenize.STRING for t in arg_tokens):
        return "".join(ast.literal_eval(t.string) for t in arg_tokens)
    return None


def _in_use(path: Path) -> bool:
    """unfold/contrib/<name> is only reachable when ``unfold.contrib.<name>`` is an installed app."""
    parts = path.relative_to(UNFOLD_DIR).parts
    if parts[0] != "contrib":
        return True
    return len(parts) > 1 and f"unfold.contrib.{parts[1]}" in settings.INSTALLED_APPS


def unfold_msgids() -> dict[tuple[str | None, str, str | None], set[str]]:
    """(context, msgid, plural msgid) -> unfold files using it, for the unfold parts our site can reach."""
    found: dict[tuple[str | None, str, str | None], set[str]] = {}
    for path in sorted(UNFOLD_DIR.rglob("*")):
        if not path.is_file() or not _in_use(path):
            continue
        rel = path.relative_to(UNFOLD_DIR)
        if path.suffix == ".py":
            source = path.read_text(encoding="utf-8")
        elif path.suffix in (".html", ".txt") and "templates" in rel.parts:
            # templatize keeps the template's indentation, which the tokenizer would read as Python blocks.
            source = "\n".join(line.lstrip() for line in
                               templatize(path.read_text(encoding="utf-8"), origin=str(path)).splitlines())
        else:
            continue
        for name, args in _gettext_calls(source):
            layout = GETTEXT_CALLS[name]
            values = [_literal(a) for a in args[:N_ARGS[layout]]]
            if len(values) < N_ARGS[layout] or None in values:
                continue  # a computed msgid (e.g. a variable): nothing to translate statically
            context = values.pop(0) if layout.startswith("c") else None
            plural = values[1] if layout.endswith("p") else None
            found.setdefault((context, values[0], plural), set()).add(str(rel))
    return found


JS_CALL = re.compile(r"""\b(n?gettext)\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
                     r"""(?:\s*,\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'))?""")


def unfold_js_msgids() -> dict[tuple[str, str | None], set[str]]:
    """(msgid, plural) -> files, for gettext()/ngettext() calls in unfold's own (non-vendored) JavaScript."""
    found: dict[tuple[str, str | None], set[str]] = {}
    for path in sorted((UNFOLD_DIR / "static").rglob("*.js")):
        if ".min." in path.name or "vendor" in path.parts or not _in_use(path):
            continue
        for m in JS_CALL.finditer(path.read_text(encoding="utf-8")):
            msgid = ast.literal_eval(m.group(2))
            plural = ast.literal_eval(m.group(3)) if m.group(1) == "ngettext" and m.group(3) else None
            found.setdefault((msgid, plural), set()).add(str(path.relative_to(UNFOLD_DIR)))
    return found


# ---------------------------------------------------------------------------------------------------------
# A small .po reader (what msgfmt reads: msgctxt, msgid, msgid_plural, msgstr / msgstr[n], flags)


def _po_string(line: str) -> str:
    return json.loads(line) if line.startswith('"') else ""


def parse_po(text: str) -> list[dict]:
    entries, entry, field = [], None, None

    def flush():
        if entry and "msgid" in entry:
            entries.append(entry)

    for raw in text.splitlines() + [""]:
        line = raw.strip()
        if not line:
            flush()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = _po_string(line)
            if isinstance(field, int):
                entry["msgstr"][field] += value
            else:
                entry[field] += value
        else:
            keyword, _, rest = line.partition(" ")
            m = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if m:
                field = int(m.group(1))
                entry["msgstr"][field] = _po_string(rest)
            elif keyword == "msgstr":
                field = 0
                entry["msgstr"][0] = _po_string(rest)
            elif keyword in ("msgctxt", "msgid", "msgid_plural"):
                field = keyword
                entry[keyword] = _po_string(rest)
            else:
                raise AssertionError(f"django.po: cannot read line {raw!r}")
    return entries


def our_catalog() -> dict[tuple[str | None, str, str | None], dict]:
    return {(e.get("msgctxt"), e["msgid"], e.get("msgid_plural")): e
            for e in parse_po(PO_PATH.read_text(encoding="utf-8")) if e["msgid"]}


def _rendered_by_django(key) -> bool:
    """Does the active (zh-hans) translation turn this msgid into something else?"""
    context, msgid, plural = key
    if plural is None:
        out = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    else:
        out = translation.npgettext(context, msgid, plural, 1) if context else translation.ngettext(msgid, plural, 1)
    return out != msgid


# ---------------------------------------------------------------------------------------------------------
# (2) completeness


def test_every_unfold_string_we_can_show_has_chinese():
    msgids = unfold_msgids()
    # The reader must be working, or the check below would pass on nothing.
    assert len(msgids) > 60, len(msgids)
    for expected in [(None, "Apply Filters", None), (None, "Select value", None), (None, "Filters", None)]:
        assert expected in msgids
    assert any(plural for _, _, plural in msgids), "no plural msgid found: blocktrans/ngettext reading broke"

    ours = our_catalog()
    with translation.override("zh-hans"):
        missing = sorted(
            (key for key in msgids
             if not (key in ours and all(ours[key]["msgstr"].values())) and not _rendered_by_django(key)),
            key=lambda k: k[1])
    assert not missing, (
        "unfold uses strings with no Chinese translation; add them to lianxin/locale/zh_Hans/LC_MESSAGES/"
        "django.po and recompile the .mo:\n"
        + "\n".join(f"  msgctxt={c!r} msgid={m!r} plural={p!r}  ({', '.join(sorted(msgids[(c, m, p)]))})"
                    for c, m, p in missing))


def test_catalog_does_not_hide_contrib_parts_we_install():
    """unfold.contrib apps are skipped only while not installed: installing one brings its strings in."""
    contrib_file = UNFOLD_DIR / "contrib" / "filters" / "admin" / "__init__.py"
    installed = "unfold.contrib.filters" in settings.INSTALLED_APPS
    assert _in_use(contrib_file) is installed
    assert _in_use(UNFOLD_DIR / "templates" / "unfold" / "helpers" / "change_list_filter_actions.html")


def test_unfold_admin_javascript_strings_are_in_the_admin_js_catalog():
    """unfold replaces admin/js/actions.js; its gettext() strings must exist in the djangojs catalog that
    the admin's jsi18n view serves (django.contrib.admin's plus LOCALE_PATHS)."""
    msgids = unfold_js_msgids()
    assert msgids, "no gettext() call found in unfold's JavaScript: reader broke or unfold changed"
    admin_locale = Path(admin.__file__).parent / "locale"
    js = DjangoTranslation("zh-hans", domain="djangojs", localedirs=[str(admin_locale), *settings.LOCALE_PATHS])
    missing = [(m, p) for m, p in msgids
               if (js.ngettext(m, p, 1) if p else js.gettext(m)) == m]
    assert not missing, f"add these to a djangojs.po under {LOCALE_DIR}: {missing}"


# ---------------------------------------------------------------------------------------------------------
# (3) the committed catalog itself


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def test_po_entries_are_complete_and_keep_placeholders():
    entries = [e for e in parse_po(PO_PATH.read_text(encoding="utf-8")) if e["msgid"]]
    assert entries
    for e in entries:
        assert "fuzzy" not in e["flags"], f"fuzzy entries are not compiled: {e['msgid']!r}"
        # zh has one plural form: exactly msgstr / msgstr[0].
        assert list(e["msgstr"]) == [0], e["msgid"]
        msgstr = e["msgstr"][0]
        assert msgstr.strip(), f"empty translation for {e['msgid']!r}"
        sources = [e["msgid"]] + ([e["msgid_plural"]] if "msgid_plural" in e else [])
        for source in sources:
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(msgstr)), (
                f"placeholders differ: {source!r} -> {msgstr!r}")
        assert not re.search(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", re.sub(r"<[^>]+>|`[^`]*`", "", msgstr))), (
            f"English left in the translation of {e['msgid']!r}: {msgstr!r}")
    keys = [(e.get("msgctxt"), e["msgid"]) for e in entries]
    assert len(keys) == len(set(keys)), "duplicate msgids"


def test_committed_mo_is_the_compiled_po():
    header = next(e for e in parse_po(PO_PATH.read_text(encoding="utf-8")) if e["msgid"] == "")
    assert "nplurals=1; plural=0;" in header["msgstr"][0]
    with MO_PATH.open("rb") as fh:
        mo = gettext_module.GNUTranslations(fh)
    assert mo.info()["plural-forms"] == "nplurals=1; plural=0;"
    assert mo.plural(1) == mo.plural(5) == 0

    expected = {}
    for (context, msgid, plural), e in our_catalog().items():
        key = f"{context}\x04{msgid}" if context else msgid
        if plural is None:
            expected[key] = e["msgstr"][0]
        else:
            expected[(key, 0)] = e["msgstr"][0]
    compiled = {k: v for k, v in mo._catalog.items() if k != ""}  # "" is the header
    stale = {k: (expected.get(k), compiled.get(k)) for k in expected.keys() | compiled.keys()
             if expected.get(k) != compiled.get(k)}
    assert not stale, (
        "django.mo differs from django.po; run: msgfmt --check -o django.mo django.po in "
        f"{PO_PATH.parent}\n{stale}")


# ---------------------------------------------------------------------------------------------------------
# (1) the pages


# English that unfold showed on these pages before our catalog (checked in the control run below).
ENGLISH = ["Filters", "Apply Filters", "Select value", "Select", "Type to search", "Toggle filter",
           "Toggle sidebar", "Toggle dark/light mode", "Dark", "Light", "System", "Global shortcuts",
           "Available shortcuts", "Changelist shortcuts", "Command tool shortcuts", "Create new record",
           "Open command tool", "Open selection", "Open shortcuts list", "Navigate", "False"]
CHINESE_CHANGELIST = ["筛选", "应用筛选", "清除所有筛选", "输入以搜索", "显示/隐藏筛选", "深色", "浅色", "跟随系统",
                      "全局快捷键", "列表页快捷键", "命令工具快捷键", "切换深色/浅色模式", "按行业门类"]
CHINESE_FORM = ["请选择", "保存"]


def _text_of(html: str) -> str:
    """What a reader sees or hears: text, plus title/placeholder/aria-label/alt attributes."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    attrs = re.findall(r'\b(?:title|placeholder|aria-label|alt)="([^"]*)"', html)
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join([text, *attrs])


def _pages(client, district) -> tuple[str, str]:
    client.force_login(district.users["fed.admin"], backend=MODEL_BACKEND)
    changelist = client.get("/admin/orgs/enterprise/?size__exact=small")
    form = client.get("/admin/orgs/enterprise/add/")
    assert changelist.status_code == form.status_code == 200
    return _text_of(changelist.content.decode()), _text_of(form.content.decode())


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


@pytest.fixture
def filter_submit(monkeypatch):
    """Switch on unfold's "Apply Filters" button (``list_filter_submit``) on the enterprise admin."""
    monkeypatch.setattr(admin_site._registry[Enterprise], "list_filter_submit", True, raising=False)


@pytest.mark.django_db
def test_admin_changelist_and_form_show_chinese_not_english(client, district, filter_submit):
    make_enterprise(district.street_a, "甲科技有限公司", size="small")
    changelist, form = _pages(client, district)
    assert "甲科技有限公司" in changelist
    for zh in CHINESE_CHANGELIST:
        assert zh in changelist, zh
    for zh in CHINESE_FORM:
        assert zh in form, zh
    left = [en for en in ENGLISH if _has_word(changelist, en) or _has_word(form, en)]
    assert not left, f"English still shown: {left}"


@pytest.mark.django_db
def test_without_our_catalog_the_same_pages_are_english(client, district, filter_submit, settings):
    """Control: the English above is what unfold shows without lianxin/locale, so the test above can fail."""
    make_enterprise(district.street_a, "甲科技有限公司", size="small")
    settings.LOCALE_PATHS = []
    changelist, form = _pages(client, district)
    shown = [en for en in ENGLISH if _has_word(changelist, en) or _has_word(form, en)]
    assert shown == ENGLISH
    assert "应用筛选" not in changelist and "请选择" not in form


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_admin_filters_in_chinese(chromium, live_server, screenshot_dir, filter_submit):
    """The federation administrator opens the enterprise list's filter panel: its chrome is Chinese.
    Signs in through the admin's login form (the real path), then screenshots test-artifacts/admin-zh-*.png."""
    from lianxin.core.testing import build_district

    district = build_district()
    make_enterprise(district.street_a, "甲科技有限公司", size="small")
    make_enterprise(district.street_b, "乙制造有限公司", size="medium")
    ctx = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    try:
        pg.goto(f"{live_server.url}/admin/login/?next=/admin/orgs/enterprise/%3Fsize__exact%3Dsmall")
        pg.fill("input[name=username]", "fed.admin")
        pg.fill("input[name=password]", PASSWORD)
        pg.click("button[type=submit], input[type=submit]")
        pg.wait_for_url("**/admin/orgs/enterprise/**")
        pg.screenshot(path=str(screenshot_dir / "admin-zh-enterprise-list.png"))
        button = pg.locator("a.filter-open-button")
        assert button.inner_text().startswith("筛选")
        button.click()
        filters = pg.locator("#changelist-filter")
        filters.get_by_text("应用筛选").wait_for()
        pg.screenshot(path=str(screenshot_dir / "admin-zh-enterprise-filters.png"))
        visible = pg.locator("body").inner_text()
        assert "清除所有筛选" in visible and "按行业门类" in visible
        left = [en for en in ENGLISH if _has_word(visible, en)]
        assert not left, f"English visible: {left}"
    finally:
        ctx.close()
