"""Console forms (parsing only; rules in lianxin.venues.services)."""

import datetime as dt
import re

from django import forms

from .models import SiteKind


class SiteForm(forms.Form):
    org = forms.ModelChoiceField(label="管理组织", queryset=None, empty_label=None)
    street = forms.ModelChoiceField(label="所在街道/园区", queryset=None, empty_label=None)
    kind = forms.ChoiceField(label="类型", choices=SiteKind.choices)
    name = forms.CharField(label="名称", max_length=100)
    address = forms.CharField(label="地址", max_length=200)
    opening_hours = forms.CharField(label="开放时间", max_length=200, required=False)
    equipment = forms.CharField(label="设施设备", widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                                required=False)
    description = forms.CharField(label="简介", widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                                  required=False)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    # within China (the map and the distance sort are for sites in the district; -5 was a typo, not a place)
    latitude = forms.FloatField(label="纬度", required=False, min_value=3, max_value=54,
                                help_text="如 30.3080（WGS84）")
    longitude = forms.FloatField(label="经度", required=False, min_value=73, max_value=136,
                                 help_text="如 120.3350")
    bookable = forms.BooleanField(label="可预约", required=False)
    is_active = forms.BooleanField(label="开放", required=False, initial=True)

    def __init__(self, *args, orgs=None, streets=None, editing=False, **kw):
        super().__init__(*args, **kw)
        self.fields["street"].queryset = streets
        if editing:
            del self.fields["org"]
        else:
            self.fields["org"].queryset = orgs

    def clean_contact_phone(self):
        """A landline or mobile members can dial: digits with the usual separators (0571-86001234 转 801)."""
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and (not _PHONE.fullmatch(phone) or len(re.sub(r"\D", "", phone)) < 7):
            raise forms.ValidationError("联系电话应为数字，可含空格、“-”和“转”，如 0571-86001234 或 13800138000")
        return phone


_PHONE = re.compile(r"[0-9+()（） \-转,，、/]+")


class SlotsForm(forms.Form):
    first_day = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": "请填写有效的日期"})
    days = forms.IntegerField(label="连续天数", min_value=1, max_value=62, initial=7)
    times = forms.CharField(label="每日时段", initial="09:00-11:00, 14:00-16:00",
                            help_text="用逗号分隔，如 09:00-11:00, 14:00-16:00")
    capacity = forms.IntegerField(label="每时段名额", min_value=1, max_value=1000, initial=10)

    def clean_times(self):
        out = []
        for part in self.cleaned_data["times"].replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                a, b = (dt.time.fromisoformat(x.strip()) for x in part.split("-"))
            except ValueError:
                raise forms.ValidationError(f"时段格式不对：{part}（应为 09:00-11:00）") from None
            out.append((a, b))
        if not out:
            raise forms.ValidationError("请至少填写一个时段")
        return out


class PhotoForm(forms.Form):
    image = forms.FileField(label="照片", help_text="JPEG/PNG，不超过 2 MB",
                            error_messages={"required": "请选择照片", "empty": "照片文件是空的"})
    caption = forms.CharField(label="照片说明", max_length=100, required=False, help_text="可不填")
