from django.core.management.base import BaseCommand

from lianxin.rosters.services import RETENTION, remove_old_files


class Command(BaseCommand):
    help = f"删除已结束超过 {RETENTION.days} 天的导入任务所上传的花名册原始文件（含完整身份证号；建议每天由 cron 运行）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=RETENTION.days, help="保留天数")

    def handle(self, *args, days, **options):
        import datetime as dt

        n = remove_old_files(older_than=dt.timedelta(days=days))
        self.stdout.write(f"已删除 {n} 个花名册原始文件")
