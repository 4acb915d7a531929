"""Console forms (parsing only; the rules are in lianxin.mutualaid.services)."""

import datetime as dt

from django import forms
from django.utils import timezone


class PlanForm(forms.Form):
    org = forms.ModelChoiceField(label="组织单位", queryset=None, empty_label=None)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              error_messages={"invalid": "请填写四位数的年度"})
    name = forms.CharField(label="计划名称", max_length=100, required=False,
                           help_text="留空则命名为“某某总工会 2026 年度职工住院医疗互助”")
    contribution = forms.CharField(label="互助金（元/人/年）", max_length=20, initial="30",
                                   help_text="基层工会为每名参加的会员缴纳")
    deductible = forms.CharField(label="起付线（元/次）", max_length=20, initial="1000",
                                 help_text="每次住院政策范围内个人自付金额中，由本人承担的部分")
    ratio = forms.IntegerField(label="补助比例（%）", min_value=1, max_value=100, initial=60,
                               error_messages={"invalid": "补助比例应为 1 至 100 的整数",
                                               "min_value": "补助比例应为 1 至 100 的整数",
                                               "max_value": "补助比例应为 1 至 100 的整数"})
    cap = forms.CharField(label="年度最高补助（元/人）", max_length=20, initial="20000")
    enrol_opens = forms.DateField(label="参加登记开始", widget=forms.DateInput(attrs={"type": "date"}),
                                  error_messages={"invalid": "请填写日期，如 2026-01-01"})
    enrol_closes = forms.DateField(label="参加登记截止", widget=forms.DateInput(attrs={"type": "date"}),
                                   error_messages={"invalid": "请填写日期，如 2026-03-31"})

    def __init__(self, *args, orgs=None, **kw):
        super().__init__(*args, **kw)
        self.fields["org"].queryset = orgs
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["enrol_opens"].initial = today
        self.fields["enrol_closes"].initial = dt.date(today.year, 12, 31)


class ContributionForm(forms.Form):
    amount = forms.CharField(label="到账金额（元）", max_length=20)
    received_on = forms.DateField(label="到账日期", widget=forms.DateInput(attrs={"type": "date"}),
                                  error_messages={"invalid": "请填写日期，如 2026-03-31", "required": "请填写到账日期"})
    memo = forms.CharField(label="说明", max_length=100, required=False, help_text="如银行回单号")

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields["received_on"].initial = timezone.localdate()
