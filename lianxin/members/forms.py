"""Console forms for people and memberships. Identity fields are plain text here; validation (checksum, birth
date, cross-checks) is the service's, so the form, the API and the Excel import say the same thing."""

from django import forms

from lianxin.core.scoping import scoped
from lianxin.orgs.models import Enterprise, Organization, OrgKind

from .models import Education, Gender, Political

FLAGS = ["is_migrant", "is_frontline", "is_model_worker"]


class PersonProfileForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    mobile = forms.CharField(label="手机号码", max_length=20, required=False)
    employer = forms.ModelChoiceField(label="工作单位（企业名录）", queryset=Enterprise.objects.none(), required=False,
                                      empty_label="（未登记企业）")
    employer_name = forms.CharField(label="工作单位（未登记时填写）", max_length=150, required=False)
    job = forms.CharField(label="岗位/职务", max_length=60, required=False)
    education = forms.ChoiceField(label="学历", choices=[("", "—"), *Education.choices], required=False)
    ethnicity = forms.CharField(label="民族", max_length=20, required=False, initial="汉族")
    political_status = forms.ChoiceField(label="政治面貌", choices=[("", "—"), *Political.choices], required=False)
    is_migrant = forms.BooleanField(label="农民工", required=False)
    is_frontline = forms.BooleanField(label="一线职工", required=False)
    is_model_worker = forms.BooleanField(label="劳模/先进", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = scoped(Enterprise.objects.all(), user)


class NewPersonForm(PersonProfileForm):
    org = forms.ModelChoiceField(label="所属组织", queryset=Organization.objects.none(), empty_label="请选择组织")
    id_number = forms.CharField(label="身份证号", max_length=30)
    gender = forms.ChoiceField(label="性别（核对用，可不填）", choices=[("", "按身份证号"), *Gender.choices], required=False)
    admit = forms.BooleanField(label="同时办理入会（所属组织须为基层/联合工会）", required=False, initial=True)
    field_order = ["org", "name", "id_number", "gender", "mobile"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["org"].queryset = scoped(Organization.objects.all(), user, "change")


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", "身份证号"), ("mobile", "手机号码")])
    reason = forms.CharField(label="查看事由", max_length=200)


class UnionChoiceForm(forms.Form):
    union = forms.ModelChoiceField(label="工会", queryset=Organization.objects.none(), empty_label="请选择工会")
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = scoped(
            Organization.objects.filter(kind__in=[OrgKind.BASE, OrgKind.JOINT]), user, "change")


class EndMembershipForm(forms.Form):
    reason = forms.CharField(label="退会原因", max_length=200)
