"""Re-encrypt every stored ciphertext under the active field key (the first in LIANXIN_FIELD_KEYS).

Rotation: put the new key first and keep the old one listed, run this command, then drop the old key. Each
place that keeps personal data encrypted has its own step below, written next to its data; a place that is
left out would become unreadable when the old key goes, so a test seals something in every encrypted column
the models declare and checks that none is left under the old key. Blind indexes do not change (they use
their own key), so lookups keep working throughout; a stop halfway is safe to run again."""

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from lianxin.core import audit, crypto

# (what, the step that re-seals it): each step returns how many ciphertexts or rows it rewrote
STEPS = (
    ("people", "lianxin.members.services.rotate_person_keys"),
    ("applications", "lianxin.workflow.services.rotate_sealed_keys"),
    ("staff_contacts", "lianxin.accounts.services.rotate_contact_keys"),
    ("notifications", "lianxin.core.notify.rotate_recipient_keys"),
    ("care", "lianxin.care.services.rotate_care_keys"),
)


class Command(BaseCommand):
    help = "用当前密钥重新加密全部个人信息密文（密钥轮换）：人员、申请材料、工作人员提醒手机号、消息收件人"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, batch, **opts):
        active = crypto.active_key_id()
        counts = {what: import_string(step)(batch=batch) for what, step in STEPS}
        if any(counts.values()):
            audit.record(actor=None, action="crypto.rotate", detail={"key": active, **counts})
        self.stdout.write(f"已用密钥 {active} 重新加密：人员 {counts['people']}、申请 {counts['applications']}、"
                          f"工作人员手机号 {counts['staff_contacts']}、消息收件人 {counts['notifications']}、"
                          f"托管班子女身份证号与监护人手机 {counts['care']}")
