"""manage.py dashboard_warm [--depth N] — recount the dashboards of the federation and its streets (cron: every
5 minutes), so they are always served from the cache; deeper organisations are counted when first opened."""

from django.core.management.base import BaseCommand

from lianxin.dashboard import selectors


class Command(BaseCommand):
    help = "重新统计总工会及各街道驾驶舱数据（建议每 5 分钟运行一次）"

    def add_arguments(self, parser):
        parser.add_argument("--depth", type=int, default=1, help="统计到第几级组织（0：总工会，1：含街道）")

    def handle(self, *args, depth, **o):
        n = selectors.warm(depth=max(0, min(depth, 10)))
        self.stdout.write(f"已重新统计 {n} 个组织的驾驶舱数据")
