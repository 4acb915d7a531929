"""Forms of 女职工与留守关爱. They only parse input; the rules live in services."""

from django import forms

from .models import CampaignKind, Facility

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# service field names (as in the workflow's forms) -> this app's form fields
ALIASES = {"子女身份证号": "child_id", "监护人手机号码": "guardian_mobile"}


def _dt(label):
    return forms.DateTimeField(
        label=label,
        widget=DT,
        input_formats=DT_FORMATS,
        error_messages={"required": f"请填写{label}", "invalid": f"{label}格式不对"},
    )


def _date(label):
    return forms.DateField(
        label=label,
        widget=DATE,
        input_formats=["%Y-%m-%d"],
        error_messages={"required": f"请填写{label}", "invalid": f"{label}格式不对"},
    )


def _num(label, **kw):
    return forms.CharField(label=label, max_length=6, error_messages={"required": f"请填写{label}"}, **kw)


def _org():
    return forms.ModelChoiceField(
        label="组织单位",
        queryset=None,
        empty_label=None,
        error_messages={"required": "请选择组织单位", "invalid_choice": "该组织不在您的管理范围内"},
    )


class CampaignForm(forms.Form):
    org = _org()
    kind = forms.ChoiceField(
        label="类别", choices=CampaignKind.choices, error_messages={"invalid_choice": "请选择活动类别"}
    )
    title = forms.CharField(
        label="活动名称",
        max_length=100,
        help_text="如：2026 年女职工“两癌”免费筛查",
        error_messages={"required": "请填写活动名称"},
    )
    place = forms.CharField(label="地点", max_length=100, error_messages={"required": "请填写地点"})
    starts_at = _dt("开始时间")
    ends_at = _dt("结束时间")
    signup_deadline = _dt("报名截止")
    places = _num("名额")
    min_age = _num("最低年龄", initial=18)
    max_age = _num("最高年龄", initial=65, help_text="按身份证号计算活动当日的年龄")
    description = forms.CharField(
        label="活动说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class ClassForm(forms.Form):
    org = _org()
    title = forms.CharField(
        label="托管班名称",
        max_length=100,
        help_text="如：2026 年暑期爱心托管班",
        error_messages={"required": "请填写托管班名称"},
    )
    place = forms.CharField(label="托管地点", max_length=100, error_messages={"required": "请填写托管地点"})
    starts_on = _date("开班日期")
    ends_on = _date("结班日期")
    daily_hours = forms.CharField(
        label="每日托管时间",
        max_length=40,
        initial="08:30-17:00",
        error_messages={"required": "请填写每日托管时间"},
    )
    signup_deadline = _dt("报名截止")
    places = _num("名额")
    min_age = _num("最小年龄", initial=6)
    max_age = _num("最大年龄", initial=12, help_text="按子女身份证号计算开班当日的年龄")
    description = forms.CharField(
        label="托管内容", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class CampaignEditForm(CampaignForm):
    """修改关爱行动: the organiser and the kind stay."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, orgs=None, **kwargs)
        del self.fields["org"], self.fields["kind"]


class ClassEditForm(ClassForm):
    """修改托管班: the organiser stays."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, orgs=None, **kwargs)
        del self.fields["org"]


class EnrolForm(forms.Form):
    child_name = forms.CharField(
        label="孩子姓名", max_length=50, error_messages={"required": "请填写孩子姓名"}
    )
    child_id = forms.CharField(
        label="子女身份证号",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        error_messages={"required": "请填写子女身份证号"},
    )
    guardian_mobile = forms.CharField(
        label="监护人手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        error_messages={"required": "请填写监护人手机号码"},
    )


class RoomForm(forms.Form):
    union = forms.ModelChoiceField(
        label="基层工会",
        queryset=None,
        empty_label=None,
        error_messages={
            "required": "请选择基层工会",
            "invalid_choice": "该工会不在您的管理范围内或已登记小屋",
        },
    )
    enterprise_name = forms.CharField(
        label="所在单位", max_length=150, error_messages={"required": "请填写所在单位"}
    )
    location = forms.CharField(
        label="具体位置",
        max_length=100,
        help_text="如：行政楼三楼 305 室",
        error_messages={"required": "请填写具体位置"},
    )
    area_m2 = forms.CharField(label="面积（平方米）", max_length=8, error_messages={"required": "请填写面积"})
    facilities = forms.MultipleChoiceField(
        label="设施",
        choices=Facility.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "设施中有无效的选项"},
    )
    opening_hours = forms.CharField(
        label="开放时间",
        max_length=60,
        initial="工作日 08:30-17:30",
        error_messages={"required": "请填写开放时间"},
    )
    contact = forms.CharField(label="联系人", max_length=30, required=False)

    def __init__(self, *args, unions=None, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "union": instance.union_id,
                "enterprise_name": instance.enterprise_name,
                "location": instance.location,
                "area_m2": instance.area_m2,
                "facilities": instance.facilities,
                "opening_hours": instance.opening_hours,
                "contact": instance.contact,
            }
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions
        if instance is not None:
            self.fields["union"].disabled = True
            self.fields["union"].queryset = type(instance.union).objects.filter(pk=instance.union_id)
