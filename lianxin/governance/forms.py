"""Console forms of 组织建设. They only parse input; every rule lives in services (the scores are checked there,
item by item, so the same Chinese messages come back whatever sends them)."""

from django import forms

from .models import CRITERIA, ElectedPerson, HomeLevel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PEOPLE_ROWS = 15


class RoundForm(forms.Form):
    org = forms.ModelChoiceField(label="组织单位", queryset=None, empty_label=None)
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, error_messages={"invalid": "请填写年份，如 2026"}
    )
    title = forms.CharField(label="评选名称", max_length=100, help_text="如：2026 年度区级模范职工之家评选")
    level = forms.ChoiceField(
        label="命名称号", choices=HomeLevel.choices, help_text="街道组织的评选命名街道级模范职工之家"
    )
    deadline = forms.DateField(
        label="申报截止", widget=DATE, error_messages={"invalid": "请填写日期，如 2026-06-30"}
    )
    places = forms.IntegerField(
        label="命名名额",
        min_value=1,
        max_value=10000,
        error_messages={"invalid": "名额应为整数"},
        help_text="本次最多命名的家数",
    )
    valid_years = forms.IntegerField(
        label="称号有效期（年）",
        min_value=1,
        max_value=10,
        initial=3,
        error_messages={"invalid": "有效期应为整数"},
        help_text="到期前需复核",
    )
    notes = forms.CharField(
        label="评选说明", max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class ApplicationForm(forms.Form):
    """The union, the summary and one (score, note) pair per checklist item. Scores are plain text fields here:
    their range is the service's check, so every item's message names the item."""

    union = forms.ModelChoiceField(label="申报工会", queryset=None, empty_label=None)
    summary = forms.CharField(
        label="创建工作简介",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="10–3000 字：建家工作的主要做法和成效",
    )

    def __init__(self, *args, unions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unions is None:
            del self.fields["union"]
        else:
            self.fields["union"].queryset = unions
        for key, label, top, hint in CRITERIA:
            self.fields[f"score_{key}"] = forms.CharField(
                label=f"{label}（满分 {top}）",
                required=False,
                max_length=4,
                help_text=hint,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
            )
            self.fields[f"note_{key}"] = forms.CharField(
                label=f"{label}·自评说明", required=False, max_length=300
            )

    def scores(self) -> dict:
        d = self.cleaned_data
        return {key: (d.get(f"score_{key}", ""), d.get(f"note_{key}", "")) for key, _, _, _ in CRITERIA}

    def criteria_rows(self):
        return [
            (label, top, hint, self[f"score_{key}"], self[f"note_{key}"])
            for key, label, top, hint in CRITERIA
        ]


class QuotaForm(forms.Form):
    street = forms.ModelChoiceField(label="街道", queryset=None, empty_label=None)
    places = forms.IntegerField(label="名额", min_value=0, error_messages={"invalid": "名额应为整数"})

    def __init__(self, *args, streets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets


class ElectionForm(forms.Form):
    number = forms.IntegerField(
        label="届次",
        min_value=1,
        max_value=200,
        help_text="第几届委员会",
        error_messages={"invalid": "届次应为整数"},
    )
    elected_on = forms.DateField(
        label="选举日期", widget=DATE, error_messages={"invalid": "请填写日期，如 2026-05-20"}
    )
    term_years = forms.TypedChoiceField(label="任期", coerce=int, choices=[(5, "5 年"), (3, "3 年")])
    expected = forms.IntegerField(
        label="应到人数",
        min_value=1,
        help_text="应出席会员（代表）大会的人数",
        error_messages={"invalid": "应到人数应为整数"},
    )
    present = forms.IntegerField(
        label="实到人数", min_value=0, error_messages={"invalid": "实到人数应为整数"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, PEOPLE_ROWS + 1):
            self.fields[f"name_{i}"] = forms.CharField(label=f"第 {i} 行姓名", required=False, max_length=30)
            self.fields[f"post_{i}"] = forms.ChoiceField(
                label=f"第 {i} 行职务",
                required=False,
                choices=ElectedPerson.Post.choices,
                initial="chair" if i == 1 else "member",
            )
            self.fields[f"votes_{i}"] = forms.CharField(
                label=f"第 {i} 行得票",
                required=False,
                max_length=7,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5}),
            )

    HEAD = ("number", "elected_on", "term_years", "expected", "present")

    def head(self):
        return [self[f] for f in self.HEAD]

    def rows(self):
        return [
            (i, self[f"name_{i}"], self[f"post_{i}"], self[f"votes_{i}"]) for i in range(1, PEOPLE_ROWS + 1)
        ]

    def people(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {
                "name": d.get(f"name_{i}", ""),
                "post": d.get(f"post_{i}") or "member",
                "votes": d.get(f"votes_{i}", ""),
            }
            for i in range(1, PEOPLE_ROWS + 1)
        ]
