"""manage.py workflow_report — the 最多跑一次 figures on the console's report page, for the whole district
(or one programme), as text: per programme, then per programme and street."""

from types import SimpleNamespace

from django.core.management.base import BaseCommand

from lianxin.core.scoping import Scope
from lianxin.workflow.selectors import trips_report


class Command(BaseCommand):
    help = "“最多跑一次”统计：零跑腿率、最多跑一次率、办结天数中位数"

    def add_arguments(self, parser):
        parser.add_argument("--programme", default="")
        parser.add_argument("--by", choices=["org", "street"], default="street")

    def handle(self, *args, **o):
        everyone = SimpleNamespace(pk=None, is_superuser=True, is_authenticated=True, is_active=True,
                                   _lianxin_scope=Scope(True, ()))
        rows, totals = trips_report(actor=everyone, programme=o["programme"], by=o["by"])
        for r in totals + rows:
            self.stdout.write(f"{r['programme_name']}·{r['org']}: 办结 {r['finished']} 件，零跑腿 {r['zero_pct']}%，"
                              f"最多跑一次 {r['one_pct']}%，办结天数中位数 {r['median_days']} 天")
