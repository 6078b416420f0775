"""The period picker: recent quarters, years and months to choose from, and a box for
any other period (a custom range, or an older one) typed as people write it."""

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from . import periods


class PeriodPicker(forms.Widget):
    """Sends the chosen period under the field's own name (so links such as
    ?period=2026Q1 keep working); the box is read when "其他期间" is chosen."""

    def __init__(self, attrs=None, *, everything: bool = False):
        # `everything`: where no period is needed (the board's filter), the first
        # choice is 全部期间, and "other" only reads as chosen for a period typed in.
        super().__init__(attrs)
        self.everything = everything

    def other(self, name: str) -> str:
        return f"{name}_other"

    def value_from_datadict(self, data, files, name):
        picked = (data.get(name) or "").strip()
        return picked or (data.get(self.other(name)) or "").strip()

    def value_omitted_from_data(self, data, files, name):
        return name not in data and self.other(name) not in data

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        code = periods.normalise(value or "")
        groups = periods.recent(timezone.localdate())
        known = {c for _label, choices in groups for c, _name in choices}
        options = format_html_join(
            "",
            '<optgroup label="{}">{}</optgroup>',
            (
                (
                    label,
                    format_html_join(
                        "",
                        '<option value="{}"{}>{}</option>',
                        ((c, " selected" if c == code else "", text) for c, text in choices),
                    ),
                )
                for label, choices in groups
            ),
        )
        field_id = attrs.get("id", f"id_{name}")
        everything = self.everything and not value
        # A period is needed and none is chosen yet: the picker says so, rather than
        # opening on "other" with an empty box beside it.
        unchosen = not self.everything and not value
        if self.everything:
            options = format_html(
                '<option value=""{}>{}</option>{}', " selected" if everything else "", _("全部期间"), options
            )
        elif unchosen:
            options = format_html('<option value="" selected>{}</option>{}', _("请选择期间"), options)
        return format_html(
            '<span class="period-picker"><select name="{}" id="{}"{}>{}<option value=""{}>{}</option></select>'
            ' <input name="{}" id="{}_other" value="{}" aria-label="{}" placeholder="{}" maxlength="40"></span>',
            name,
            field_id,
            format_html(' aria-describedby="{}"', attrs["aria-describedby"]) if attrs.get("aria-describedby") else "",
            options,
            "" if code in known or everything or unchosen else " selected",
            _("其他期间（在旁边的框里填写）"),
            self.other(name),
            field_id,
            "" if code in known else (value or ""),
            _("其他期间"),
            _("如 2026-01-01..2026-06-30"),
        )
