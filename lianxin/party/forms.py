"""Forms of 党支部工作. They only parse input; the rules live in services."""

from django import forms

from .models import Attendance, Category, MeetingKind, MemberStatus
from .services import NOT_EXPECTED, PARTIAL_KINDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE,
        input_formats=["%Y-%m-%d"],
        help_text=help_text,
        error_messages={"required": f"请填写{label}", "invalid": f"{label}格式不对，如 2024-07-01"},
    )


class EnrolForm(forms.Form):
    id_number = forms.CharField(
        label="身份证号",
        max_length=18,
        help_text="按身份证号查找已登记的人员（页面只显示脱敏号码）",
        error_messages={"required": "请填写身份证号"},
    )
    category = forms.ChoiceField(
        label="党员类别",
        choices=Category.choices,
        error_messages={"required": "请选择党员类别", "invalid_choice": "请选择党员类别"},
    )
    joined_on = _date("入党日期")
    full_on = _date(
        "转正日期", required=False, help_text="正式党员必填；预备党员不填，期满后在名册中办理转正"
    )
    entered_on = _date("转入本支部日期", required=False, help_text="不填为今天")
    external_org = forms.CharField(
        label="原所在党组织",
        max_length=150,
        required=False,
        help_text="从本区以外转入组织关系时填写（如：杭州市某某公司党支部），新发展党员不填",
    )


class DuesForm(forms.Form):
    base = forms.CharField(
        label="月缴费基数（元）",
        max_length=12,
        required=False,
        help_text="工资收入中计入党费基数的部分；≤3000 元按 0.5%，3000–5000 元 1%，5000–10000 元 1.5%，10000 元以上 2%",
    )
    fixed = forms.CharField(
        label="固定月缴额（元）",
        max_length=10,
        required=False,
        help_text="离退休、无固定收入或生活困难的党员可按固定的少量金额缴纳（如 0.2、1），须写明原因",
    )
    fixed_reason = forms.CharField(label="固定缴纳的原因", max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label="会议类型",
        choices=MeetingKind.choices,
        error_messages={"required": "请选择会议类型", "invalid_choice": "请选择会议类型"},
    )
    held_on = _date("会议日期")
    topic = forms.CharField(label="会议主题", max_length=100, error_messages={"required": "请填写会议主题"})
    place = forms.CharField(label="地点", max_length=100, required=False)
    minutes = forms.CharField(
        label="会议纪要",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "请填写会议纪要", "max_length": "会议纪要最多 5000 个字"},
        help_text="议程、讨论情况和决定事项",
    )

    ATT_CHOICES = [*Attendance.Status.choices, (NOT_EXPECTED, "不在参会范围")]

    def __init__(self, *args, roster=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = list(roster)
        for m in self.roster:
            self.fields[f"att_{m.pk}"] = forms.ChoiceField(
                label=f"{m.person.name}（{m.get_category_display()}）",
                choices=self.ATT_CHOICES,
                initial=Attendance.Status.PRESENT,
                error_messages={
                    "required": f"请选择{m.person.name}的出席情况",
                    "invalid_choice": f"请选择{m.person.name}的出席情况",
                },
            )

    def main_fields(self):
        return [self[n] for n in ("kind", "held_on", "topic", "place", "minutes")]

    def attendance_fields(self):
        return [self[f"att_{m.pk}"] for m in self.roster]

    def attendance(self) -> dict:
        return {m.pk: self.cleaned_data.get(f"att_{m.pk}") for m in self.roster}


PARTIAL = [str(k) for k in PARTIAL_KINDS]
END_CHOICES = [(MemberStatus.STOPPED, "停止党籍"), (MemberStatus.DECEASED, "去世")]
PROBATIONARY_END_CHOICES = [*END_CHOICES, (MemberStatus.DISQUALIFIED, "取消预备党员资格")]


class MeetingEditForm(MeetingForm):
    """更正会议记录: as when recording, without the date (the attendance list is that day's roster) and with the
    reason for the correction. Initial values are the meeting's and its attendance rows."""

    reason = forms.CharField(
        label="更正原因", max_length=200, error_messages={"required": "请填写更正原因"}, help_text="如：出席情况登记错误"
    )

    def __init__(self, *args, meeting, roster=(), **kwargs):
        old = {a.member_id: a.status for a in meeting.attendance.all()}
        initial = {"kind": meeting.kind, "topic": meeting.topic, "place": meeting.place, "minutes": meeting.minutes}
        initial |= {f"att_{m.pk}": old.get(m.pk, NOT_EXPECTED) for m in roster}
        super().__init__(*args, roster=roster, initial=initial, **kwargs)
        del self.fields["held_on"]

    def main_fields(self):
        return [self[n] for n in ("kind", "topic", "place", "minutes", "reason")]
