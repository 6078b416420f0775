"""Form messages that name the field. Django's stock "确保该变量包含不超过 100 字符"
says neither which box nor how much is there; these say "标题不能超过100个字（现有
123个字）。" A field's own message, where it has one, is kept.

And a required box filled with what nobody sees (zero-width spaces, a direction
override pasted from a chat) is refused as empty, with the box's own "required"
message: Django strips only spaces, and a reply of U+200B was published as an empty
answer counted on time. The actions refuse it too (handling.actions._require_text);
the form says so beside the box."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from wenzheng.lib import text


class _SomethingSeen:
    """A validator: the value holds a character someone can see."""

    def __init__(self, message):
        self.message = message

    def __call__(self, value):
        if isinstance(value, str) and not text.visible(value).strip():
            raise ValidationError(self.message, code="required")


def name_limits(fields) -> None:
    for field in fields.values():
        if not isinstance(field, forms.CharField):
            continue
        if field.required and field.strip:
            field.validators.append(_SomethingSeen(field.error_messages["required"]))
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
    """A form mixin: length limits explained in Chinese, field by field, and a
    required box left visibly empty refused as empty."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_limits(self.fields)
