"""Console forms: they only parse input; the rules live in lianxin.content.services."""

from django import forms

from .models import ArticleKind, Category


class ArticleForm(forms.Form):
    org = forms.ModelChoiceField(label="发布组织", queryset=None, empty_label=None)
    category = forms.ChoiceField(label="栏目", choices=Category.choices)
    kind = forms.ChoiceField(label="类型", choices=ArticleKind.choices)
    title = forms.CharField(label="标题", max_length=120)
    summary = forms.CharField(label="摘要", max_length=300, required=False)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 16, "cols": 80}),
                           help_text="纯文本；空行分段，不支持 HTML")
    cover = forms.FileField(label="封面图", required=False, help_text="JPEG/PNG，不超过 2 MB")

    def __init__(self, *args, orgs=None, editing=False, **kw):
        super().__init__(*args, **kw)
        if editing:
            del self.fields["org"]
        else:
            self.fields["org"].queryset = orgs


class BookForm(forms.Form):
    org = forms.ModelChoiceField(label="上传组织", queryset=None, empty_label=None)
    title = forms.CharField(label="书名", max_length=150)
    author_name = forms.CharField(label="作者", max_length=100, required=False)
    summary = forms.CharField(label="简介", widget=forms.Textarea(attrs={"rows": 5, "cols": 80}), required=False)
    file = forms.FileField(label="电子书文件", help_text="PDF 或 EPUB，不超过 20 MB（按文件内容检查）")
    cover = forms.FileField(label="封面图", required=False, help_text="JPEG/PNG，不超过 2 MB")
    recommended_week = forms.CharField(label="推荐周次", required=False, help_text="如 2026-W48；留空为不推荐")
    is_published = forms.BooleanField(label="上架", required=False, initial=True)

    def __init__(self, *args, orgs=None, editing=False, **kw):
        super().__init__(*args, **kw)
        if editing:
            del self.fields["org"]
            del self.fields["file"]
        else:
            self.fields["org"].queryset = orgs
            del self.fields["is_published"]
