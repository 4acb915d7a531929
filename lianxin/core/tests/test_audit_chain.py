import pytest
from django.core.management import CommandError, call_command

from lianxin.core import audit
from lianxin.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def _fill(n=5):
    for i in range(n):
        audit.record(actor=None, action="test.act", detail={"i": i, "名": "测试"}, org_path="0001")


def test_intact_chain_verifies(capsys):
    _fill()
    assert audit.verify() == []
    call_command("audit_verify")
    assert "校验通过" in capsys.readouterr().out


def test_edited_row_is_detected():
    _fill()
    AuditEntry.objects.filter(seq=3).update(detail={"i": 99})
    problems = audit.verify()
    assert any("第 3 条内容被修改" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_deleted_middle_row_is_detected():
    _fill()
    AuditEntry.objects.filter(seq=2).delete()
    assert any("缺失" in p for p in audit.verify())


def test_deleted_newest_row_is_detected():
    _fill()
    AuditEntry.objects.filter(seq=5).delete()
    assert any("链尾不符" in p for p in audit.verify())


def test_rewritten_hash_is_detected_by_the_next_row():
    _fill()
    e = AuditEntry.objects.get(seq=2)
    e.actor_label = "someone-else"
    e.hash = audit._digest(e.prev_hash, e)  # a forger recomputes this row's hash...
    e.save()
    assert any("第 3 条的前序哈希" in p for p in audit.verify())  # ...but the chain breaks at the next
