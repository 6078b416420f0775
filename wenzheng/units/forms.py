"""The unit picker, wherever a unit is chosen (posting a message, the board's filter,
dispatch and reassignment, the export filter, supervision records): the units in two
groups, 乡镇 then 部门, and above the list a box that narrows it as one types
(static/js/site.js). Without script the grouped list works alone."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy

from .models import Unit

GROUP_ORDER = (Unit.Kind.TOWNSHIP, Unit.Kind.DEPARTMENT)


class UnitSelect(forms.Select):
    """A select that site.js gives a filter box."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-unit-picker": gettext_lazy("输入单位名称筛选"), **(attrs or {})}, choices)


def grouped(units, *, empty_label=None) -> list:
    """Choices for a ChoiceField over already-read units: [(乡镇, [...]), (部门, [...])]."""
    groups = {kind: [] for kind in GROUP_ORDER}
    for unit in units:
        groups.setdefault(unit.kind, []).append((str(unit.pk), unit.name))
    choices = [("", empty_label)] if empty_label is not None else []
    return choices + [(Unit.Kind(kind).label, options) for kind, options in groups.items() if options]


class _Grouped(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups = {kind: [] for kind in GROUP_ORDER}
        for unit in self.queryset:
            groups.setdefault(unit.kind, []).append(self.choice(unit))
        for kind, options in groups.items():
            if options:
                yield (Unit.Kind(kind).label, options)

    def __len__(self):
        return self.queryset.count() + (1 if self.field.empty_label is not None else 0)


class UnitPickerField(forms.ModelChoiceField):
    iterator = _Grouped
    widget = UnitSelect

    def label_from_instance(self, unit):
        return unit.name
