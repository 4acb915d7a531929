"""Whatever an author types or a book contains, the page gets text: the only tags in the rendered output are
the <p> and <br> that paragraphs produce."""

import re

from django.template import Context, Template
from hypothesis import given, settings
from hypothesis import strategies as st

from lianxin.content.files import html_to_paragraphs

RENDER = Template("{{ t|linebreaks }}")
ALLOWED = re.compile(r"</?p>|<br>")
markup = st.lists(st.sampled_from(["<script>", "</script>", "<img src=x onerror=alert(1)>", "<p>", "</p>", "\n",
                                   "\n\n", "&lt;", "&amp;", "<!--", "-->", "<![CDATA[", "]]>", "<a href='javascript:x'>",
                                   "文字", "text", "\"", "'", "<", ">", "&", "<style>", "</style>", "<br/>"]),
                  max_size=40).map("".join)


def _rendered(text: str) -> str:
    return RENDER.render(Context({"t": text}))


@settings(max_examples=200, deadline=None)
@given(st.one_of(markup, st.text(max_size=200)))
def test_article_bodies_render_without_foreign_tags(body):
    assert "<" not in ALLOWED.sub("", _rendered(body))


@settings(max_examples=200, deadline=None)
@given(st.one_of(markup, st.text(max_size=200)))
def test_epub_chapters_render_without_foreign_tags(xhtml):
    title, paragraphs = html_to_paragraphs(xhtml)
    out = _rendered("\n\n".join(paragraphs)) + _rendered(title)
    assert "<" not in ALLOWED.sub("", out)
    assert all("\n\n" not in p for p in paragraphs)
