"""Forms of 工会志愿者服务. They only parse input; the rules live in services."""

from django import forms

from .models import Availability, Project, Skill

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
CHECKS = forms.CheckboxSelectMultiple


class RegisterForm(forms.Form):
    skills = forms.MultipleChoiceField(
        label="特长",
        choices=Skill.choices,
        widget=CHECKS,
        error_messages={"required": "请至少选择一项特长", "invalid_choice": "特长中有无效的选项"},
    )
    times = forms.MultipleChoiceField(
        label="可服务时间",
        choices=Availability.choices,
        widget=CHECKS,
        error_messages={"required": "请至少选择一项可服务时间", "invalid_choice": "可服务时间中有无效的选项"},
    )
    note = forms.CharField(
        label="个人说明",
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：持有急救员证书、会手语"}),
        error_messages={"max_length": "个人说明最多 200 个字"},
    )


def _dt(label):
    return forms.DateTimeField(
        label=label,
        widget=DT,
        input_formats=DT_FORMATS,
        error_messages={"required": f"请填写{label}", "invalid": f"{label}格式不对"},
    )


class ProjectForm(forms.Form):
    org = forms.ModelChoiceField(
        label="组织单位",
        queryset=None,
        empty_label=None,
        error_messages={"required": "请选择组织单位", "invalid_choice": "该组织不在您的管理范围内"},
    )
    title = forms.CharField(
        label="项目名称",
        max_length=100,
        help_text="如：社区义诊进楼道、职工子女暑期托管",
        error_messages={"required": "请填写项目名称"},
    )
    place = forms.CharField(label="服务地点", max_length=100, error_messages={"required": "请填写服务地点"})
    starts_at = _dt("开始时间")
    ends_at = _dt("结束时间")
    signup_deadline = _dt("报名截止")
    places = forms.CharField(label="招募人数", max_length=6, error_messages={"required": "请填写招募人数"})
    hours = forms.CharField(
        label="每次计入时长（小时）",
        max_length=8,
        help_text="确认参加后为每人计入的服务时长，如 2 或 2.5",
        error_messages={"required": "请填写每次计入时长"},
    )
    skills = forms.MultipleChoiceField(
        label="需要的特长",
        choices=Skill.choices,
        widget=CHECKS,
        required=False,
        help_text="不选表示不限特长",
        error_messages={"invalid_choice": "需要的特长中有无效的选项"},
    )
    description = forms.CharField(
        label="服务内容", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, orgs=None, instance: Project | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "org": instance.org_id,
                "title": instance.title,
                "place": instance.place,
                "starts_at": instance.starts_at,
                "ends_at": instance.ends_at,
                "signup_deadline": instance.signup_deadline,
                "places": instance.places,
                "hours": instance.hours,
                "skills": instance.skills,
                "description": instance.description,
            }
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        if instance is not None:
            self.fields["org"].disabled = True
            self.fields["org"].initial = instance.org_id
            self.fields["org"].queryset = type(instance.org).objects.filter(pk=instance.org_id)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200)
