"""Console forms of 评选表彰 and the 劳模工匠库. They only parse input; the rules live in services."""

from django import forms

from .models import HonourCategory, HonourLevel, Selection

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class SelectionForm(forms.ModelForm):
    class Meta:
        model = Selection
        fields = ["org", "title", "honour_title", "honour_level", "honour_category", "description",
                  "nomination_deadline", "voting_opens_at", "voting_closes_at", "votes_per_member", "daily",
                  "winners_count"]
        widgets = {"nomination_deadline": DT, "voting_opens_at": DT, "voting_closes_at": DT,
                   "description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "org": "团工委、妇工委主办的评选，由其所属工会范围内的会员投票",
            "honour_title": "如：十佳工匠、最美职工、巾帼建功标兵",
            "votes_per_member": "每位会员可投的票数，每位候选人最多一票",
            "daily": "勾选后每天都有上述票数（每位候选人每天最多一票）",
            "winners_count": "按得票从高到低确定的当选人数",
        }

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.fields["org"].empty_label = None
        for f in ("nomination_deadline", "voting_opens_at", "voting_closes_at"):
            self.fields[f].input_formats = DT_FORMATS
        if self.instance.pk:
            self.fields["org"].disabled = True


class NominateForm(forms.Form):
    who = forms.CharField(label="推荐人员", max_length=30, help_text="完整的身份证号、手机号或会员证号")
    deeds = forms.CharField(label="主要事迹", max_length=3000, widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
                            help_text="20–3000 字，将在投票页面公开")
    photo = forms.FileField(label="照片", required=False, help_text="JPEG/PNG，不超过 2 MB，可不传",
                            error_messages={"empty": "照片文件是空的"})


class ReviewForm(forms.Form):
    note = forms.CharField(label="审核意见", max_length=200, required=False)


class CloseForm(forms.Form):
    reason = forms.CharField(label="提前结束原因", max_length=200, required=False)


class HonourForm(forms.Form):
    who = forms.CharField(label="人员", max_length=30, help_text="完整的身份证号、手机号或会员证号")
    title = forms.CharField(label="荣誉称号", max_length=50, help_text="如：杭州市劳动模范、浙江工匠")
    category = forms.ChoiceField(label="类别", choices=HonourCategory.choices)
    level = forms.ChoiceField(label="级别", choices=HonourLevel.choices)
    year = forms.IntegerField(label="年度", min_value=1950, max_value=2100,
                              error_messages={"invalid": "请填写年份，如 2025"})
    awarded_by = forms.CharField(label="授予单位", max_length=100, help_text="如：杭州市人民政府")
    note = forms.CharField(label="备注", max_length=200, required=False)


class EndHonourForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200)
