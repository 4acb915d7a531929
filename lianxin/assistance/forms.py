"""Console forms (parsing only; the rules are in lianxin.assistance.services)."""

from django import forms
from django.utils import timezone

from .models import Purpose


class FundForm(forms.Form):
    org = forms.ModelChoiceField(label="管理组织", queryset=None, empty_label=None)
    purpose = forms.ChoiceField(label="用途", choices=Purpose.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              error_messages={"invalid": "请填写四位数的年度"})
    name = forms.CharField(label="资金名称", max_length=100, required=False, help_text="留空则按组织和年度自动命名")

    def __init__(self, *args, orgs=None, **kw):
        super().__init__(*args, **kw)
        self.fields["org"].queryset = orgs
        self.fields["year"].initial = timezone.localdate().year


class AllocateForm(forms.Form):
    amount = forms.CharField(label="拨入金额（元）", max_length=20, help_text="如 50000 或 50000.00")
    memo = forms.CharField(label="资金来源", max_length=200, help_text="如：2026 年度财政预算拨款、上级工会下拨、社会捐赠")


class CloseFileForm(forms.Form):
    reason = forms.CharField(label="脱困情况", max_length=300, widget=forms.Textarea(attrs={"rows": 2, "cols": 50}))
