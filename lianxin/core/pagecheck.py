"""Test support: read a page as its user does, and walk a site's links as they would. Used by the crawl tests of
the staff console (lianxin/core/tests/test_console_crawl.py) and of the member pages
(lianxin/portal/tests/test_portal_crawl.py), which add their own rules on top: what a page must show, which
statuses are faults, how far to go.

What every page is checked for here: it is Chinese (``<html lang="zh-hans">``), shows no English interface words
(an untranslated template, form or widget), no Python ``None``/``True``/``False`` printed raw, no raw choice codes
where the Chinese label belongs, and no timestamps as Python or the database print them (stored UTC shown
instead of Asia/Shanghai local time)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

HOST = "testserver"

# English interface words: what an untranslated template, form or widget shows. Content written by unions may
# contain English (brand names, "PDF", "Excel"), so these are interface words only, matched as whole words.
ENGLISH_UI = re.compile(
    r"\b(Submit|Cancel|Save|Delete|Edit|Back|Next|Previous|Home|Log ?in|Log ?out|Sign in|Sign up|Search|Filter|"
    r"Loading|Select an option|Select|Choose File|No file chosen|Upload|Download|Required|This field|Invalid|"
    r"Enter a valid|Not Found|Forbidden|Server Error|Bad Request|Page not found|Traceback|Exception|Page \d+ of|"
    r"Yes|No|None|True|False|Unknown|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|Fri|Sat|Sun|"
    r"a\.m\.|p\.m\.|midnight|noon)\b")
# Timestamps as Python or the database print them: stored UTC shown raw instead of Asia/Shanghai local time.
RAW_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:?\d\d|Z)|\bUTC\b|\+00:00")
CODE = re.compile(r"[a-z][a-z_]{2,}")


def choice_codes(models: Iterable | None = None) -> set[str]:
    """The stored values of the choice fields (states, kinds, roles, categories) of ``models`` (default: every
    model of the project): shown as such, they are raw codes where the Chinese label belongs."""
    from django.apps import apps

    if models is None:
        models = [m for m in apps.get_models() if m.__module__.startswith("lianxin.")]
    codes = set()
    for model in models:
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and CODE.fullmatch(value):
                    codes.add(value)
    return codes


class Page(HTMLParser):
    """Visible text plus what a user reads or hears in attributes (placeholder, title, alt, aria-label, button
    values); the links; every URL the page would load or send to; its language and viewport."""

    SILENT = {"script", "style", "template", "noscript"}  # <title> counts: browsers and WeChat show it
    SPOKEN = ("placeholder", "title", "alt", "aria-label")
    URL_ATTRS = ("src", "href", "action", "poster", "data", "formaction", "srcset")

    def __init__(self, html: str = ""):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.text: list[str] = []
        self.links: list[str] = []
        self.urls: list[str] = []
        self.lang = None
        self.viewport = None
        self._silent = 0
        if html:
            self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.SILENT:
            self._silent += 1
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "meta" and (a.get("name") or "").lower() == "viewport":
            self.viewport = a.get("content") or ""
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh" and "url=" in (a.get("content") or ""):
            self.urls.append(a["content"].split("url=", 1)[1])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        for k in self.URL_ATTRS:
            if a.get(k):
                self.urls.extend(a[k].split(",") if k == "srcset" else [a[k]])
        self.text.extend(a[k] for k in self.SPOKEN if a.get(k))
        if tag in ("input", "button") and a.get("type") in ("submit", "button", "reset") and a.get("value"):
            self.text.append(a["value"])

    def handle_endtag(self, tag):
        if tag in self.SILENT and self._silent:
            self._silent -= 1

    def handle_data(self, data):
        if not self._silent:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())

    def problems(self, codes: set[str]) -> list[str]:
        """What a Chinese page must not show (see the module docstring)."""
        out = [] if self.lang == "zh-hans" else [f'<html lang="{self.lang}"> (want zh-hans)']
        text = self.visible

        def around(m):
            return f"…{text[max(0, m.start() - 25):m.end() + 25]}…"

        out += [f"English UI word {m.group()!r} in {around(m)}" for m in ENGLISH_UI.finditer(text)]
        out += [f"raw UTC/ISO time {m.group()!r} in {around(m)}" for m in RAW_TIME.finditer(text)]
        out += [f"raw code {m.group()!r} instead of its label in {around(m)}"
                for m in re.finditer(r"(?<![\w./=-])[a-z][a-z_]{2,}(?![\w./=@-])", text) if m.group() in codes]
        return out

    def foreign_urls(self) -> list[str]:
        """URLs pointing at another host: in attributes, and in inline CSS (``url(...)``, ``@import``)."""
        found = [u.strip() for u in self.urls]
        found += re.findall(r"url\(\s*['\"]?([^'\")\s]+)", self.html)
        found += re.findall(r"@import\s+['\"]([^'\"]+)", self.html)
        bad = []
        for u in found:
            parts = urlsplit(u.split()[0] if u.split() else u)
            if parts.scheme in ("http", "https", "ws", "wss", "") and parts.netloc and parts.netloc != HOST:
                bad.append(u)
        return bad


def kind_of(url: str) -> str:
    """The shape of a URL: /console/people/17/ and /console/people/23/ are one kind; so are ?page=2 and
    ?page=3 of one list."""
    parts = urlsplit(url)
    keys = ",".join(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    return re.sub(r"\d+", "N", parts.path) + "?" + keys


# check(url, response, referrer) -> (problems on that page, links found on it to follow)
Check = Callable[[str, object, str], tuple[list[str], list[str]]]


def crawl(client, start: str, check: Check, *, inside: str, skip: re.Pattern | None = None, max_pages: int,
          per_kind: int | None = None, max_depth: int | None = None) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Breadth-first from ``start`` over same-site links whose path starts with ``inside`` (and that ``skip``
    does not match), bounded by ``max_pages`` in all, ``per_kind`` pages of each URL shape (see
    :func:`kind_of`) and ``max_depth`` steps from the start. Returns ({url: status}, {url: problems})."""
    status: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    kinds: dict[str, int] = {}
    queue = deque([(start, "(start)", 0)])
    queued = {start}
    while queue and len(status) < max_pages:
        url, referrer, depth = queue.popleft()
        if per_kind is not None:
            kind = kind_of(url)
            if kinds.get(kind, 0) >= per_kind:
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
        resp = client.get(url)
        status[url] = resp.status_code
        found, targets = check(url, resp, referrer)
        if found:
            problems[url] = found
        if max_depth is not None and depth >= max_depth:
            continue
        for href in targets:
            t = urlsplit(urljoin(f"http://{HOST}{url}", href))
            if t.scheme not in ("http", "https") or t.netloc != HOST or not t.path.startswith(inside):
                continue
            nxt = t.path + (f"?{t.query}" if t.query else "")
            if nxt not in queued and not (skip and skip.search(t.path)):
                queued.add(nxt)
                queue.append((nxt, url, depth + 1))
    return status, problems


def report(problems: dict[str, list[str]], per_page: int = 4) -> str:
    lines = []
    for url, found in sorted(problems.items()):
        more = f"\n  … and {len(found) - per_page} more" if len(found) > per_page else ""
        lines.append(f"{url}:\n  " + "\n  ".join(found[:per_page]) + more)
    return "\n".join(lines)
