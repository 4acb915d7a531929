"""Console forms: parse and present; rules live in services. Foreign-key choices are scoped to the user."""

from django import forms

from lianxin.core.scoping import scoped

from .models import Enterprise, Industry, Organization, OrgKind, Ownership, Size
from .selectors import enterprise_streets

DATE = forms.DateInput(attrs={"type": "date"})


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "code", "chair_name", "vice_chair_names", "contact_name", "contact_phone", "address",
                  "founded_on", "term_ends_on"]
        widgets = {"founded_on": DATE, "term_ends_on": DATE}


class NewOrganizationForm(OrganizationForm):
    kind = forms.ChoiceField(label="类型", choices=OrgKind.choices)

    class Meta(OrganizationForm.Meta):
        fields = ["kind", *OrganizationForm.Meta.fields]


class EnterpriseForm(forms.Form):
    name = forms.CharField(label="企业名称", max_length=150)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30)
    industry = forms.ChoiceField(label="行业门类（GB/T 4754）", choices=Industry.choices)
    size = forms.ChoiceField(label="规模", choices=Size.choices)
    ownership = forms.ChoiceField(label="经济类型", choices=Ownership.choices)
    street = forms.ModelChoiceField(label="所在街道/园区", queryset=Organization.objects.none(),
                                    empty_label="请选择街道/园区")
    address = forms.CharField(label="地址", max_length=200, required=False)
    headcount = forms.IntegerField(label="职工人数", min_value=0, initial=0)
    covering_union = forms.ModelChoiceField(label="覆盖工会", queryset=Organization.objects.none(), required=False,
                                            empty_label="（未覆盖）", help_text="本企业工会，或覆盖它的联合工会/行业工会；空表示未建会")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = enterprise_streets(actor=user)
        self.fields["covering_union"].queryset = scoped(
            Organization.objects.filter(kind__in=[OrgKind.BASE, OrgKind.JOINT, OrgKind.INDUSTRY]), user, "change")

    @classmethod
    def initial_from(cls, e: Enterprise) -> dict:
        return {f: getattr(e, f) for f in ("name", "credit_code", "industry", "size", "ownership", "street",
                                            "address", "headcount", "covering_union")}
