"""Small, valid sample files for the demo data and tests: a Chinese PDF (ReportLab with the built-in CID
font STSong-Light, so no font file is shipped), an EPUB 3 built with zipfile, and a PNG cover."""

from __future__ import annotations

import hashlib
import io
import zipfile
from xml.sax.saxutils import escape


def make_pdf(title: str, paragraphs: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A5, invariant=1)
    c.setTitle(title)
    width, height = A5
    c.setFont("STSong-Light", 16)
    c.drawString(40, height - 60, title)
    c.setFont("STSong-Light", 11)
    y = height - 95
    per_line = int((width - 80) // 11)
    for para in paragraphs:
        lines = [para[i:i + per_line] for i in range(0, len(para), per_line)] or [""]
        for line in lines:
            if y < 50:
                c.showPage()
                c.setFont("STSong-Light", 11)
                y = height - 50
            c.drawString(40, y, line)
            y -= 17
        y -= 8
    c.showPage()
    c.save()
    return buf.getvalue()


CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""


def make_epub(title: str, chapters: list[tuple[str, list[str]]], *, author: str = "连心书屋",
              extra_html: str = "") -> bytes:
    """``chapters`` = [(heading, [paragraph, ...]), ...]. ``extra_html`` is appended raw to chapter 1 (tests
    use it to prove scripts and markup do not survive extraction)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", CONTAINER, compress_type=zipfile.ZIP_DEFLATED)
        items, refs = [], []
        for i, (heading, paras) in enumerate(chapters, 1):
            body = "".join(f"<p>{escape(p)}</p>" for p in paras) + (extra_html if i == 1 else "")
            z.writestr(f"OEBPS/ch{i}.xhtml", (
                '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
                '<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN"><head>'
                f"<title>{escape(heading)}</title><style>p{{margin:0}}</style></head>"
                f"<body><h1>{escape(heading)}</h1>{body}</body></html>"), compress_type=zipfile.ZIP_DEFLATED)
            items.append(f'<item id="ch{i}" href="ch{i}.xhtml" media-type="application/xhtml+xml"/>')
            refs.append(f'<itemref idref="ch{i}"/>')
        z.writestr("OEBPS/nav.xhtml", (
            '<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>目录</title></head><body>'
            '<nav epub:type="toc"><ol>' + "".join(f'<li><a href="ch{i}.xhtml">{escape(h)}</a></li>'
                                                 for i, (h, _) in enumerate(chapters, 1))
            + "</ol></nav></body></html>"), compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("OEBPS/content.opf", (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:identifier id="uid">urn:lianxin:{hashlib.sha1(title.encode()).hexdigest()[:12]}</dc:identifier>'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(author)}</dc:creator>"
            "<dc:language>zh-CN</dc:language></metadata><manifest>"
            '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
            + "".join(items) + "</manifest><spine>" + "".join(refs) + "</spine></package>"),
            compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def make_png(width: int = 120, height: int = 160, color=(192, 57, 43)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "PNG", optimize=True)
    return buf.getvalue()
