from django.core.management.base import BaseCommand

from lianxin.portal.services import cleanup_sign_in


class Command(BaseCommand):
    help = "清理短信登录数据：过期验证码的短信正文置空，删除一天前的验证码记录与限流记录（建议每小时由 cron 运行）"

    def handle(self, *args, **options):
        r = cleanup_sign_in()
        self.stdout.write(f"已置空 {r['scrubbed']} 条过期验证码短信正文，删除验证码 {r['codes_deleted']} 条、"
                          f"限流记录 {r['events_deleted']} 条")
