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


# --- 平安返乡 ----------------------------------------------------------------------------------------------------

DT_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class HomewardForm(forms.Form):
    org = forms.ModelChoiceField(label="组织单位", queryset=None, empty_label=None)
    year = forms.IntegerField(label="春节年度", error_messages={"invalid": "请填写四位数的年度"},
                              help_text="返乡过年的那一年，如 2027")
    name = forms.CharField(label="名称", max_length=100, help_text="如：2027 年春节平安返乡")
    apply_until = forms.DateField(label="报名截止日期", widget=forms.DateInput(attrs={"type": "date"}),
                                  error_messages={"invalid": "请填写日期，如 2027-01-20"})
    subsidy = forms.CharField(label="购票补贴标准（元/人）", max_length=20, required=False,
                              help_text="不发放购票补贴的留空，只安排专车")
    fund = forms.ModelChoiceField(label="补贴列支资金", queryset=None, required=False,
                                  help_text="发放购票补贴时必选：本组织或上级组织的资金")
    notes = forms.CharField(label="说明", max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3, "cols": 50}))

    def __init__(self, *args, orgs=None, funds=None, **kw):
        super().__init__(*args, **kw)
        self.fields["org"].queryset = orgs
        self.fields["fund"].queryset = funds
        today = timezone.localdate()
        self.fields["year"].initial = today.year + (1 if today.month >= 7 else 0)


class CoachForm(forms.Form):
    destination = forms.CharField(label="目的地城市", max_length=50, help_text="如：安徽阜阳")
    route = forms.CharField(label="线路", max_length=200, required=False, help_text="如：下沙客运中心—合肥—阜阳")
    departs_at = forms.DateTimeField(label="发车时间", widget=DT_LOCAL, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                     error_messages={"invalid": "请填写发车日期和时间，如 2027-01-30 07:30"})
    seats = forms.CharField(label="座位数", max_length=4)


class HomewardApplyForm(forms.Form):
    kind = forms.ChoiceField(label="返乡方式", choices=[("coach", "乘坐返乡专车"), ("subsidy", "领取购票补贴")],
                             widget=forms.RadioSelect, error_messages={"required": "请选择返乡方式"})
    coach = forms.IntegerField(label="专车", required=False)
    hometown = forms.CharField(label="返乡目的地", max_length=100, help_text="如：安徽省阜阳市临泉县",
                               error_messages={"required": "请填写返乡目的地"})


# --- 就业帮扶 ----------------------------------------------------------------------------------------------------


class JobPostForm(forms.Form):
    union = forms.ModelChoiceField(label="发布工会", queryset=None, empty_label=None)
    employer = forms.CharField(label="用人单位", max_length=150,
                               help_text="企业名录中的统一社会信用代码或企业全称")
    title = forms.CharField(label="岗位名称", max_length=60, help_text="如：数控车床操作工")
    trade = forms.CharField(label="工种", max_length=30, help_text="用于匹配求职登记，如：车工、电工、焊工、保洁")
    openings = forms.CharField(label="招聘人数", max_length=5)
    salary_min = forms.CharField(label="月薪下限（元）", max_length=8)
    salary_max = forms.CharField(label="月薪上限（元）", max_length=8)
    requirements = forms.CharField(label="岗位要求", max_length=1000, widget=forms.Textarea(attrs={"rows": 3, "cols": 50}))
    contact = forms.CharField(label="联系方式", max_length=100, help_text="如：人事部 王女士 0571-86001234")
    valid_until = forms.DateField(label="有效期至", widget=forms.DateInput(attrs={"type": "date"}),
                                  error_messages={"invalid": "请填写日期，如 2027-03-31"})

    def __init__(self, *args, unions=None, **kw):
        super().__init__(*args, **kw)
        self.fields["union"].queryset = unions


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(label="招聘结果", choices=[("recommended", "推荐"), ("interview", "面试"),
                                                       ("hired", "录用"), ("rejected", "未录用")])
    note = forms.CharField(label="备注", max_length=200, required=False, help_text="未录用时必填原因")


class SeekerForm(forms.Form):
    wanted_job = forms.CharField(label="意向岗位", max_length=60, help_text="如：仓库管理员",
                                 error_messages={"required": "请填写意向岗位"})
    trade = forms.CharField(label="工种", max_length=30, help_text="如：叉车工、电工、保洁",
                            error_messages={"required": "请填写工种"})
    skills = forms.CharField(label="技能特长", max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}), help_text="如：持叉车证，五年仓储经验")
    active = forms.BooleanField(label="正在求职，请工会帮我推荐", required=False, initial=True)
