"""Form fields for choosing several files at once, checked by content
(wenzheng.attachments.files) when the form is cleaned."""

from django import forms
from django.utils.translation import gettext_lazy

from . import files


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Up to nine files; `cleaned_data` holds the prepared uploads (files.Upload)."""

    def __init__(self, *, allow_pdf=False, **kwargs):
        self.allow_pdf = allow_pdf
        accept = "image/jpeg,image/png,image/webp" + (",application/pdf" if allow_pdf else "")
        kwargs.setdefault("required", False)
        # An empty file is refused by files.read, which names it; Django's own refusal
        # ("所提交的是空文件。") does not say which of nine.
        kwargs.setdefault("allow_empty_file", True)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        items = [super(FilesField, self).clean(item, initial) for item in items]
        try:
            return files.read_all([i for i in items if i], allow_pdf=self.allow_pdf)
        except files.Refused as e:
            raise forms.ValidationError(e.reason) from None


def photos_field():
    return FilesField(
        label=gettext_lazy("照片（选填）"),
        help_text=gettext_lazy("最多9张，JPEG、PNG或WebP格式。照片中的拍摄地点等信息会被去除；公开时与留言一起公开。"),
    )


def reply_files_field():
    return FilesField(
        allow_pdf=True,
        label=gettext_lazy("附件（选填）"),
        help_text=gettext_lazy("最多9个，照片（JPEG、PNG、WebP）或PDF文件，随回复一起公开。"),
    )
