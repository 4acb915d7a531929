from django.core.management.base import BaseCommand, CommandError

from lianxin.content.services import build_weekly_digest, build_weekly_digest_task
from lianxin.core.errors import ServiceError


class Command(BaseCommand):
    help = "编制每周简报（默认上一周；每周一由定时任务运行）"

    def add_arguments(self, parser):
        parser.add_argument("--week", default=None, help="ISO 周次，如 2026-W48")
        parser.add_argument("--enqueue", action="store_true", help="交给任务队列（db_worker）执行")

    def handle(self, *args, week=None, enqueue=False, **opts):
        try:
            if enqueue:
                result = build_weekly_digest_task.enqueue(week)
                self.stdout.write(f"已加入任务队列：{result.id}")
                return
            d = build_weekly_digest(week=week)
        except ServiceError as e:
            raise CommandError(e.message) from None
        self.stdout.write(f"{d.week}：{len(d.article_ids)} 篇文章，{len(d.book_ids)} 本推荐书")
