"""Console forms of 评选表彰 and the 劳模工匠库. They only parse input; the rules live in services."""

from django import forms

from .models import HonourCategory, HonourLevel, InnovationCategory, Selection

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

    def clean(self):
        """The model's check constraints, each as a message at its field (else Django names the constraint)."""
        d = super().clean()
        votes, winners = d.get("votes_per_member"), d.get("winners_count")
        nominate, opens, closes = d.get("nomination_deadline"), d.get("voting_opens_at"), d.get("voting_closes_at")
        if votes is not None and not 1 <= votes <= 100:
            self.add_error("votes_per_member", "每人票数应为 1 至 100 票")
        if winners is not None and winners < 1:
            self.add_error("winners_count", "当选人数至少 1 人")
        if opens and closes and closes <= opens:
            self.add_error("voting_closes_at", "投票截止时间应晚于投票开始时间")
        if opens and nominate and nominate > opens:
            self.add_error("nomination_deadline", "推荐截止时间不能晚于投票开始时间")
        return d


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


# ---------------------------------------------------------------- 劳动竞赛


class CompetitionForm(forms.Form):
    org = forms.ModelChoiceField(label="主办组织", queryset=None, empty_label=None,
                                 help_text="团工委、妇工委主办的竞赛，由其所属工会范围内的会员参赛")
    title = forms.CharField(label="竞赛名称", max_length=100, help_text="如：2026年开发区职工技能竞赛（数控车工）")
    trade = forms.CharField(label="工种/项目", max_length=50, help_text="如：数控车工、焊工、电工")
    level = forms.ChoiceField(label="竞赛级别", choices=HonourLevel.choices)
    description = forms.CharField(label="竞赛说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    signup_opens_at = forms.DateTimeField(label="报名开始", widget=DT, input_formats=DT_FORMATS)
    signup_closes_at = forms.DateTimeField(label="报名截止", widget=DT, input_formats=DT_FORMATS)
    max_entrants = forms.IntegerField(label="参赛名额", min_value=1, max_value=100000)
    union_cap = forms.IntegerField(label="每个工会限报", required=False, min_value=1,
                                   help_text="每个基层工会最多报名的人数，不限可不填")
    theory_weight = forms.IntegerField(label="理论成绩权重（%）", min_value=0, max_value=100, initial=30,
                                       help_text="总成绩 = 理论 × 权重 + 实操 × (100% − 权重)")
    award_title = forms.CharField(label="授予称号", max_length=50, required=False, help_text="如：技术能手，不授予可不填")
    award_places = forms.IntegerField(label="授予名额", required=False, min_value=0, initial=0,
                                      help_text="前几名授予上述称号（并列者一并授予）")

    def __init__(self, *args, orgs=None, instance=None, **kwargs):
        if instance is not None:  # 修改: the organiser stays; the fields start from the competition
            from django.utils import timezone

            kwargs.setdefault("initial", {
                k: (timezone.localtime(v).strftime("%Y-%m-%dT%H:%M") if k.startswith("signup_") else v)
                for k in self.base_fields if k != "org" for v in [getattr(instance, k)]})
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["org"]
        else:
            self.fields["org"].queryset = orgs


class EnterForm(forms.Form):
    who = forms.CharField(label="参赛职工", max_length=30, help_text="完整的身份证号、手机号或会员证号")


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=200)


# ---------------------------------------------------------------- 创新成果评审


class RoundForm(forms.Form):
    org = forms.ModelChoiceField(label="主办组织", queryset=None, empty_label=None)
    title = forms.CharField(label="评审名称", max_length=100, help_text="如：2026年度职工创新成果评审")
    description = forms.CharField(label="评审说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    submit_until = forms.DateTimeField(label="申报截止", widget=DT, input_formats=DT_FORMATS)
    first_prizes = forms.IntegerField(label="一等奖名额", min_value=0, max_value=1000, initial=1)
    second_prizes = forms.IntegerField(label="二等奖名额", min_value=0, max_value=1000, initial=2)
    third_prizes = forms.IntegerField(label="三等奖名额", min_value=0, max_value=1000, initial=3)

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class EntryForm(forms.Form):
    union = forms.ModelChoiceField(label="申报工会", queryset=None, empty_label=None)
    title = forms.CharField(label="成果名称", max_length=100)
    team = forms.CharField(label="完成人", max_length=300, help_text="多人用顿号分隔，如：张三、李四")
    category = forms.ChoiceField(label="类别", choices=InnovationCategory.choices)
    summary = forms.CharField(label="成果简介", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
                              help_text="20–5000 字：解决了什么问题、怎么做的、效果如何")
    benefit = forms.CharField(label="经济效益（元）", max_length=20, required=False, help_text="年创经济效益，可不填")

    def __init__(self, *args, unions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions


class JudgeForm(forms.Form):
    user = forms.ModelChoiceField(label="评委", queryset=None, empty_label=None)

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name or u.username}（{u.username}）"
