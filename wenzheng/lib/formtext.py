"""Form messages that name the field. Django's stock "确保该变量包含不超过 100 字符"
says neither which box nor how much is there; these say "标题不能超过100个字（现有
123个字）。" A field's own message, where it has one, is kept."""

from django import forms
from django.utils.translation import gettext as _


def name_limits(fields) -> None:
    for field in fields.values():
        if not isinstance(field, forms.CharField):
            continue
        label = str(field.label or _("内容")).rstrip("：:")
        if field.max_length is not None:
            field.error_messages.setdefault(
                "max_length", _("%(label)s不能超过%%(limit_value)d个字（现有%%(show_value)d个字）。") % {"label": label}
            )
        if field.min_length is not None:
            field.error_messages.setdefault(
                "min_length", _("%(label)s至少要%%(limit_value)d个字（现有%%(show_value)d个字）。") % {"label": label}
            )


class NamedLimits:
    """A form mixin: length limits explained in Chinese, field by field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_limits(self.fields)
