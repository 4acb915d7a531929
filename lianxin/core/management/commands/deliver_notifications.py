from django.core.management.base import BaseCommand

from lianxin.core.notify import deliver_due


class Command(BaseCommand):
    help = "发送到期的待发送通知（重试失败的短信/微信消息）"

    def handle(self, *args, **opts):
        self.stdout.write(f"已发送 {deliver_due()} 条")
