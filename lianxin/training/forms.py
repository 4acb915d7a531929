"""Forms of 职工教育培训. They only parse input; the rules live in services."""

from django import forms

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label):
    return forms.DateField(
        label=label,
        widget=DATE,
        input_formats=["%Y-%m-%d"],
        error_messages={"required": f"请填写{label}", "invalid": f"{label}格式不对，如 2027-03-01"},
    )


def _number(label, help_text="", max_length=6):
    return forms.CharField(
        label=label, max_length=max_length, help_text=help_text, error_messages={"required": f"请填写{label}"}
    )


class ClassForm(forms.Form):
    org = forms.ModelChoiceField(
        label="主办单位",
        queryset=None,
        empty_label=None,
        error_messages={"required": "请选择主办单位", "invalid_choice": "该组织不在您的管理范围内"},
    )
    title = forms.CharField(
        label="班次名称",
        max_length=100,
        help_text="如：2027 年第一期班组长培训班",
        error_messages={"required": "请填写班次名称"},
    )
    place = forms.CharField(label="培训地点", max_length=100, error_messages={"required": "请填写培训地点"})
    starts_on = _date("开班日期")
    ends_on = _date("结业日期")
    signup_deadline = _date("报名截止日期")
    hours = _number("学时", "培训总学时，如 32")
    sessions = _number("课次", "需要点名的课次数；出勤满 80% 且考核合格方可结业", 3)
    places = _number("名额", "全班最多人数；可在班次页面给下属工会分配名额")
    pass_mark = _number("考核合格分", "0 至 100，如 60", 3)
    description = forms.CharField(
        label="培训内容", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class ClassEditForm(ClassForm):
    """修改培训班: everything but the organiser (the service decides what may still change)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, orgs=None, **kwargs)
        del self.fields["org"]
        self.fields["sessions"].help_text = "不能少于已点名的最大课次；增加的课次需要点名后才能发证"
        self.fields["pass_mark"].help_text = "0 至 100；登记考核成绩后不能再修改"
