"""The PDF of a 工会法人资格证书: ReportLab with its built-in STSong-Light CID font (Chinese without shipping a
font file) and a segno QR code that points at the public verification page. Generated on request from the
certificate record, so the record stays the single source of truth and nothing needs storing."""

from __future__ import annotations

import io

import segno
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
RED = (0.75, 0.22, 0.17)


def cid_font() -> str:
    """The built-in Chinese CID font, registered once (shared with training/certificates.py)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


_font = cid_font


def draw_frame(c, w: float, h: float) -> None:
    """The red double border of a certificate page."""
    c.setStrokeColorRGB(*RED)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, w - 24 * mm, h - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(15 * mm, 15 * mm, w - 30 * mm, h - 30 * mm)


def draw_qr(c, url: str, x: float, y: float, size: float, caption: str) -> None:
    """A QR code of ``url`` with its lower-left corner at (x, y), and a caption centred under it."""
    qr = segno.make(url, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=6, border=2)
    png.seek(0)
    c.drawImage(ImageReader(png), x, y, size, size)
    c.setFont(cid_font(), 9)
    c.drawCentredString(x + size / 2, y - 5 * mm, caption)


def registrar_name(cert) -> str:
    """The registering federation: the root of the union's tree (the county-level federation)."""
    from lianxin.orgs.models import STEP, Organization

    return Organization.objects.filter(path=cert.union.path[:STEP]).values_list("name", flat=True).first() or ""


def certificate_pdf(cert, verify_url: str) -> bytes:
    font = cid_font()
    buf = io.BytesIO()
    w, h = landscape(A4)
    c = canvas.Canvas(buf, pagesize=(w, h))
    c.setTitle(f"工会法人资格证书 {cert.number}")
    draw_frame(c, w, h)
    c.setFillColorRGB(*RED)
    c.setFont(font, 30)
    c.drawCentredString(w / 2, h - 42 * mm, "工会法人资格证书")
    c.setFillColorRGB(0, 0, 0)
    c.setFont(font, 12)
    c.drawCentredString(w / 2, h - 52 * mm, f"证书编号：{cert.number}")
    rows = [
        ("统一社会信用代码", cert.credit_code),
        ("工会名称", cert.union_name),
        ("住所", cert.address),
        ("法定代表人", cert.chairman),
        ("经费来源", cert.funding),
        ("有效期", f"{cert.valid_from:%Y年%m月%d日} 至 {cert.valid_until:%Y年%m月%d日}"),
    ]
    y = h - 75 * mm
    for label, value in rows:
        c.setFont(font, 14)
        c.drawString(40 * mm, y, f"{label}：")
        c.drawString(92 * mm, y, str(value))
        y -= 13 * mm
    size = 45 * mm
    draw_qr(c, verify_url, w - 40 * mm - size, 35 * mm, size, "扫码核验证书真伪与有效期")
    c.setFont(font, 12)
    c.drawString(40 * mm, 35 * mm, f"登记机关：{registrar_name(cert)}")
    c.drawString(40 * mm, 27 * mm, f"发证日期：{cert.valid_from:%Y年%m月%d日}")
    c.showPage()
    c.save()
    return buf.getvalue()
