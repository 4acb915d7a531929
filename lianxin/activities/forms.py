"""Console form for publishing an activity. Only parses input; the rules live in services._clean."""

from django import forms

from lianxin.orgs.models import Organization

from .models import Activity

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["org", "title", "summary", "venue", "starts_at", "ends_at", "signup_opens_at", "signup_closes_at",
                  "capacity", "waitlist_size", "monthly_limit", *Activity.FLAG_FIELDS]
        widgets = {"starts_at": DT, "ends_at": DT, "signup_opens_at": DT, "signup_closes_at": DT,
                   "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs if orgs is not None else Organization.objects.none()
        for f in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
            self.fields[f].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if self.instance.pk:
            self.fields["org"].disabled = True
