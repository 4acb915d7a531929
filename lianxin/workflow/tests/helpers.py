"""Small builders for the workflow tests, on top of lianxin.core.testing's district."""

from __future__ import annotations

import io

from lianxin.accounts.models import User
from lianxin.core.testing import PASSWORD, ROOT, id_number, make_enterprise, make_person, mobile
from lianxin.members import services as members

# A minimal valid PDF and PNG (content checks look at the bytes, not the name).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


class Upload(io.BytesIO):
    def __init__(self, content: bytes, name: str):
        super().__init__(content)
        self.name = name
        self.size = len(content)


def worker(username: str = "worker1") -> User:
    """A signed-up worker with no person yet (joining will create it)."""
    return User.objects.create_user(username=username, password=PASSWORD, display_name=username)


def member_user(d, union, username: str = "member1", name: str = "李四", employer=None):
    person = make_person(union, name, employer=employer)
    members.admit_member(actor=ROOT, person=person, union=union)
    u = User.objects.create_user(username=username, password=PASSWORD, display_name=name)
    u.person = person
    u.save()
    return u


def join_data(d, *, employer=None, name="王小明", n=None, **kw):
    data = {"name": name, "id_number": id_number(n), "mobile": mobile(n),
            "employer_id": str((employer or d.ent_a1).pk), "job": "装配工"}
    data.update(kw)
    return data


def legal_data(union, **kw):
    import datetime as dt

    today = dt.date.today()
    data = {"union_id": str(union.pk), "kind": "apply", "union_name": union.name,
            "address": "杭州市钱塘区白杨街道1号", "chairman": "赵主席", "funding": "会员会费、行政拨缴经费",
            "approval_no": "白工〔2026〕8号", "term_start": today.isoformat(),
            "term_end": today.replace(year=today.year + 5).isoformat()}
    data.update(kw)
    return data


def attach_all(app, actor, slots):
    from lianxin.workflow import services

    for s in slots:
        services.add_attachment(actor=actor, app=app, slot=s, upload=Upload(PDF, f"{s}.pdf"))


__all__ = ["PDF", "PNG", "Upload", "worker", "member_user", "join_data", "legal_data", "attach_all",
           "make_enterprise", "ROOT"]


def overdue_morning(due_at):
    """10:00 local time on the day after ``due_at``: overdue, and far from local midnight, so a rerun "the same
    day" an hour later stays on that day whatever time of day the tests run (``due_at + 1 hour`` did not: run
    after 22:00 in Shanghai, the rerun fell on the next day and reminded again)."""
    import datetime as dt

    from django.utils import timezone

    return (timezone.localtime(due_at) + dt.timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
