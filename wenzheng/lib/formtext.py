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


class _FillIn:
    """ "请填写<the box's label>。", worded when shown: some forms rename a box after
    it is built (a re-dispatch's 交办说明 becomes 转办说明)."""

    def __init__(self, field):
        self.field = field

    def __str__(self):
        return _("请填写%(label)s。") % {"label": bare_label(self.field.label or _("内容"))}


def bare_label(label) -> str:
    """A box's label as a message names it: without its colon and bracketed aside
    (签收说明（选填）： → 签收说明)."""
    label = str(label).rstrip("：:")
    return label.split("（", 1)[0].split("(", 1)[0].strip() or label


class _SomethingSeen:
    """A validator: a required box's value holds a character someone can see. It asks
    the field whether it is required when it runs, not when the form is built: some
    forms make a box required afterwards (a re-dispatch's note)."""

    def __init__(self, field):
        self.field = field

    def __call__(self, value):
        if self.field.required and isinstance(value, str) and not text.visible(value).strip():
            raise ValidationError(self.field.error_messages["required"], code="required")


def name_limits(fields) -> None:
    for field in fields.values():
        if not isinstance(field, forms.CharField):
            continue
        if field.strip:
            field.validators.append(_SomethingSeen(field))
        label = str(field.label or _("内容")).rstrip("：:")
        # Django's "这个字段是必填项。" names no box; beside a box filled with what
        # nobody sees it reads as a fault of the page.
        if str(field.error_messages.get("required")) == str(forms.Field.default_error_messages["required"]):
            field.error_messages["required"] = _FillIn(field)
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
