"""Console forms (parsing only; the rules are in lianxin.assistance.services)."""

from django import forms
from django.utils import timezone

from .models import Category, Purpose, RetreatAudience


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


class CampaignForm(forms.Form):
    org = forms.ModelChoiceField(label="组织单位", queryset=None, empty_label=None)
    name = forms.CharField(label="活动名称", max_length=100, help_text="如：2027 年元旦春节送温暖")
    standard = forms.CharField(label="慰问标准（元/人）", max_length=20, help_text="报送时不填金额的，按此标准发放")
    maximum = forms.CharField(label="每人最高（元）", max_length=20)
    budget = forms.CharField(label="活动预算（元）", max_length=20, help_text="本次活动发放总额不超过预算")
    deadline = forms.DateField(label="报送截止日期", widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"invalid": "请填写日期，如 2027-01-15"})

    def __init__(self, *args, orgs=None, **kw):
        super().__init__(*args, **kw)
        self.fields["org"].queryset = orgs


class RecipientForm(forms.Form):
    who = forms.CharField(label="慰问对象", max_length=30, help_text="完整的身份证号、手机号或会员证号")
    category = forms.ChoiceField(label="慰问类别", choices=Category.choices)
    amount = forms.CharField(label="慰问金（元）", max_length=20, required=False, help_text="不填按慰问标准")
    reason = forms.CharField(label="慰问事由", max_length=200, help_text="如：本人患病住院、子女上学负担重")


class ArchiveForm(forms.Form):
    union = forms.ModelChoiceField(label="报送工会", queryset=None, empty_label=None)

    def __init__(self, *args, unions=None, **kw):
        super().__init__(*args, **kw)
        self.fields["union"].queryset = unions


class DecideForm(forms.Form):
    note = forms.CharField(label="审核意见", max_length=200, required=False, help_text="不通过时必填")


class RetreatForm(forms.Form):
    org = forms.ModelChoiceField(label="组织单位", queryset=None, empty_label=None)
    name = forms.CharField(label="名称", max_length=100, help_text="如：2027 年劳模疗休养第一期")
    destination = forms.CharField(label="目的地", max_length=100, help_text="如：淳安千岛湖职工疗休养基地")
    audience = forms.ChoiceField(label="对象", choices=RetreatAudience.choices)
    starts_on = forms.DateField(label="出发日期", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": "请填写日期，如 2027-04-10"})
    ends_on = forms.DateField(label="返回日期", widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": "请填写日期，如 2027-04-14"})
    nominate_until = forms.DateField(label="推荐截止日期", widget=forms.DateInput(attrs={"type": "date"}),
                                     error_messages={"invalid": "请填写日期，如 2027-03-20"})
    places = forms.CharField(label="名额", max_length=6)
    cost = forms.CharField(label="人均费用（元）", max_length=20, required=False, help_text="由工会经费列支，仅供登记")
    notes = forms.CharField(label="行程安排", max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3, "cols": 50}))

    def __init__(self, *args, orgs=None, **kw):
        super().__init__(*args, **kw)
        self.fields["org"].queryset = orgs


class ShareForm(forms.Form):
    org = forms.ModelChoiceField(label="分配给", queryset=None, empty_label=None)
    places = forms.CharField(label="名额", max_length=6, help_text="调为 0 可收回未使用的分配")

    def __init__(self, *args, orgs=None, **kw):
        super().__init__(*args, **kw)
        self.fields["org"].queryset = orgs


class NominateForm(forms.Form):
    who = forms.CharField(label="推荐人员", max_length=30, help_text="完整的身份证号、手机号或会员证号")
    reason = forms.CharField(label="推荐理由", max_length=200, help_text="如：2026 年度区级劳动模范")


class CancelSeatForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200)
