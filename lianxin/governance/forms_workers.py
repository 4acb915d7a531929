"""Console forms of 社会化工会工作者. They only parse input; counts, dates and every rule are checked by
``services_workers`` so the same Chinese messages come back whatever sends them."""

from django import forms

from .models import WORKER_GRADES, Assessment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERR = {"invalid": "请填写日期，如 2026-06-30"}
GRADE_CHOICES = [(str(g), f"{label}（{lo}–{hi} 元/月）") for g, label, lo, hi in WORKER_GRADES]
NUMERIC = forms.TextInput(attrs={"inputmode": "numeric", "size": 6})


class RecruitForm(forms.Form):
    post = forms.ModelChoiceField(
        label="派驻单位", queryset=None, empty_label=None, help_text="街道（园区）或工会"
    )
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18, help_text="已登记的人员按身份证号自动关联")
    mobile = forms.CharField(label="手机号码", max_length=11)
    grade = forms.ChoiceField(label="岗位等级", choices=GRADE_CHOICES)
    contract_start = forms.DateField(label="合同开始", widget=DATE, error_messages=DATE_ERR)
    contract_end = forms.DateField(label="合同到期", widget=DATE, error_messages=DATE_ERR)
    posted_on = forms.DateField(
        label="派驻日期",
        widget=DATE,
        required=False,
        error_messages=DATE_ERR,
        help_text="不填为合同开始日与今天中较晚者",
    )

    def __init__(self, *args, posts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts


class RehireForm(forms.Form):
    """重新聘用 of someone who left: who they are is known; the new engagement's post, grade and contract."""

    post = forms.ModelChoiceField(label="派驻单位", queryset=None, empty_label=None)
    grade = forms.ChoiceField(label="岗位等级", choices=GRADE_CHOICES)
    contract_start = forms.DateField(label="合同开始", widget=DATE, error_messages=DATE_ERR)
    contract_end = forms.DateField(label="合同到期", widget=DATE, error_messages=DATE_ERR)
    posted_on = RecruitForm.base_fields["posted_on"]

    def __init__(self, *args, posts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts


class TransferForm(forms.Form):
    to = forms.ModelChoiceField(label="调往单位", queryset=None, empty_label=None)
    on = forms.DateField(label="调岗日期", widget=DATE, error_messages=DATE_ERR)
    note = forms.CharField(label="调岗原因", max_length=300)

    def __init__(self, *args, posts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = posts


class RenewForm(forms.Form):
    contract_end = forms.DateField(label="新的合同到期日期", widget=DATE, error_messages=DATE_ERR)
    grade = forms.ChoiceField(label="岗位等级", choices=GRADE_CHOICES)


class LeaveForm(forms.Form):
    on = forms.DateField(label="离职日期", widget=DATE, error_messages=DATE_ERR)
    reason = forms.CharField(label="离职原因", max_length=300)


class WorkLogForm(forms.Form):
    month = forms.CharField(
        label="月份",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-05"}),
        help_text="如 2026-05；每人每月一份",
    )
    visits = forms.CharField(label="走访企业（家次）", widget=NUMERIC)
    unions_founded = forms.CharField(label="新建工会（个）", widget=NUMERIC)
    members_recruited = forms.CharField(label="发展会员（人）", widget=NUMERIC)
    disputes_mediated = forms.CharField(label="调解劳动争议（件）", widget=NUMERIC)
    summary = forms.CharField(
        label="工作小结", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}), help_text="5–2000 字"
    )

    def __init__(self, *args, with_month=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_month:
            del self.fields["month"]

    def year_month(self) -> tuple[str, str]:
        text = (self.cleaned_data.get("month") or "").strip()
        y, _, m = text.partition("-")
        return (y, m) if y.isdigit() and m.isdigit() else ("", "")

    def counts(self) -> dict:
        return {
            k: self.cleaned_data.get(k, "")
            for k in ("visits", "unions_founded", "members_recruited", "disputes_mediated")
        }


class OpenRoundForm(forms.Form):
    org = forms.ModelChoiceField(label="组织单位", queryset=None, empty_label=None)
    year = forms.IntegerField(
        label="考核年度", min_value=2000, max_value=2100, error_messages={"invalid": "请填写年份，如 2026"}
    )

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label="考核等次", choices=Assessment.Grade.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="评语", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label="不合格原因",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="评为不合格时必填",
    )
