"""The PDF of a 班组长培训结业证书, drawn exactly as the workflow's 工会法人资格证书 (``workflow/certificates.py``,
whose font, frame and QR helpers it shares): ReportLab with the built-in STSong-Light CID font and a segno QR code
pointing at the public verification page ``/verify/training/<token>/``. Generated on request from the enrolment
record, so the record stays the single source of truth and nothing is stored."""

from __future__ import annotations

import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from lianxin.workflow.certificates import RED, cid_font, draw_frame, draw_qr


def mask_name(name: str) -> str:
    """钱小娟 → 钱*娟, 王磊 → 王*, 欧阳晓明 → 欧**明: the public page shows whose certificate it is without
    publishing the name."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``, character by character (Chinese has no spaces)."""
    lines, line = [], ""
    for ch in text:
        if line and stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line] if line else lines or [""]


def issued_on(e):
    return timezone.localtime(e.certified_at).date()


def certificate_pdf(e, verify_url: str) -> bytes:
    """One A4 page for the certified enrolment ``e`` (with ``klass__org`` and ``person`` loaded)."""
    font = cid_font()
    k = e.klass
    buf = io.BytesIO()
    w, h = A4
    c = canvas.Canvas(buf, pagesize=(w, h))
    c.setTitle(f"班组长培训结业证书 {e.certificate_no}")
    draw_frame(c, w, h)
    c.setFillColorRGB(*RED)
    c.setFont(font, 32)
    c.drawCentredString(w / 2, h - 50 * mm, "结业证书")
    c.setFillColorRGB(0, 0, 0)
    c.setFont(font, 12)
    c.drawCentredString(w / 2, h - 62 * mm, f"证书编号：{e.certificate_no}")
    c.setFont(font, 16)
    c.drawCentredString(w / 2, h - 85 * mm, f"{e.person.name} 同志：")
    c.setFont(font, 13)
    c.drawCentredString(w / 2, h - 97 * mm, "参加班组长培训，完成规定课程并考核合格，准予结业。")
    rows = [
        ("培训班", k.title),
        ("主办单位", k.org.name),
        ("培训时间", f"{k.starts_on:%Y年%m月%d日} 至 {k.ends_on:%Y年%m月%d日}"),
        ("学时", f"{k.hours} 学时"),
    ]
    y = h - 122 * mm
    c.setFont(font, 14)
    for label, value in rows:
        c.drawString(30 * mm, y, f"{label}：")
        for line in wrap(str(value), font, 14, w - 62 * mm - 25 * mm)[:4]:
            c.drawString(62 * mm, y, line)
            y -= 7 * mm
        y -= 6 * mm
    size = 40 * mm
    draw_qr(c, verify_url, w - 30 * mm - size, 40 * mm, size, "扫码核验证书真伪")
    c.setFont(font, 13)
    for i, line in enumerate(wrap(f"发证单位：{k.org.name}", font, 13, w - 30 * mm - size - 40 * mm)[:2]):
        c.drawString(30 * mm, 66 * mm - i * 6 * mm, line)
    c.drawString(30 * mm, 50 * mm, f"发证日期：{issued_on(e):%Y年%m月%d日}")
    c.showPage()
    c.save()
    return buf.getvalue()
