from django.core.management.base import BaseCommand, CommandError

from lianxin.core.audit import verify
from lianxin.core.models import AuditEntry


class Command(BaseCommand):
    help = "验证审计日志哈希链：检测被修改、删除或重排的记录"

    def handle(self, *args, **opts):
        problems = verify()
        if problems:
            for p in problems:
                self.stderr.write(p)
            raise CommandError(f"审计日志校验失败：发现 {len(problems)} 处问题")
        self.stdout.write(f"审计日志完整：共 {AuditEntry.objects.count()} 条，哈希链校验通过")
