"""Re-encrypt personal data under the active field key (the first in LIANXIN_FIELD_KEYS).

Rotation: put the new key first and keep the old one listed, run this command, then drop the old key.
Blind indexes do not change (they use their own key), so lookups keep working throughout."""

from django.core.management.base import BaseCommand
from django.db import transaction

from lianxin.core import audit, crypto
from lianxin.members.models import Person
from lianxin.members.services import ID_CTX, MOBILE_CTX


class Command(BaseCommand):
    help = "用当前密钥重新加密身份证号与手机号（密钥轮换）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, batch, **opts):
        active = crypto.active_key_id()
        done = 0
        while True:
            with transaction.atomic():
                rows = list(Person.objects.select_for_update().exclude(id_key=active).order_by("pk")[:batch])
                if not rows:
                    break
                for p in rows:
                    p.id_cipher = crypto.encrypt(crypto.decrypt(p.id_cipher, context=ID_CTX), context=ID_CTX)
                    if p.mobile_cipher:
                        p.mobile_cipher = crypto.encrypt(crypto.decrypt(p.mobile_cipher, context=MOBILE_CTX),
                                                         context=MOBILE_CTX)
                    p.id_key = active
                Person.objects.bulk_update(rows, ["id_cipher", "mobile_cipher", "id_key"])
                done += len(rows)
        if done:
            audit.record(actor=None, action="crypto.rotate", detail={"key": active, "people": done})
        self.stdout.write(f"已用密钥 {active} 重新加密 {done} 人的个人信息")
