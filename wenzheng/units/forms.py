"""The unit picker, wherever a unit is chosen (posting a message, the board's filter,
dispatch and reassignment, the export filter, supervision records): the units in two
groups, 乡镇 then 部门, and above the list a box that narrows it as one types
(static/js/site.js). Without script the grouped list works alone.

A county has a few hundred units; a city ten thousand, which no one reads as a list
(458 KB of options on every board page). Where a form offers more than SEARCH_ABOVE
units (`UnitPickerField.search_in`), the picker is a box instead: as one types,
site.js offers the units whose name holds the text, from one small endpoint
(`/units/search/`, wenzheng.units.views), and the box's text names the unit (its
name, with its county's in brackets in a city); without script one types the name."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Region, Unit

GROUP_ORDER = (Unit.Kind.TOWNSHIP, Unit.Kind.DEPARTMENT)
SEARCH_ABOVE = 300  # more units than this: a box that searches, not a list
_WITH_COUNTY = re.compile(r"^(?P<name>.+?)[（(](?P<county>[^（()）]+)[）)]$")


def label(unit, *, with_county: bool) -> str:
    """How the search box names a unit: 东门镇, or 东门镇（罗城仫佬族自治县） in a city."""
    return f"{unit.name}（{unit.region.name}）" if with_county else unit.name


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


class UnitSearchInput(forms.TextInput):
    """A box naming a unit, offered matches as one types (site.js, `data-unit-search`)."""

    input_type = "search"
    template_name = "units/unit_search.html"

    def __init__(self, url, attrs=None):
        placeholder = gettext_lazy("输入单位名称查找")
        super().__init__({"autocomplete": "off", "data-unit-search": url, "placeholder": placeholder, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}-units"
        return context


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
    searching = False  # a box that searches (search_in), not a list
    with_county = False

    def search_in(self, region: Region) -> None:
        """Offer the units of `region` (already the queryset): as a list, or, past
        SEARCH_ABOVE of them, as a box that searches them (one bounded COUNT). In a
        city, each named with its county: every county has its 县交通运输局 (a trial
        of a second county found the list offering two alike)."""
        self.with_county = region.kind == Region.Kind.CITY
        if self.with_county:
            self.queryset = self.queryset.select_related("region")
        if self.queryset[: SEARCH_ABOVE + 1].count() <= SEARCH_ABOVE:
            return
        self.searching = True
        url = f"{reverse('unit-search')}?{urlencode({'region': region.code})}"
        self.widget = UnitSearchInput(url)
        self.widget.is_required = self.required

    def label_from_instance(self, unit):
        return label(unit, with_county=self.with_county)

    def prepare_value(self, value):
        """What the box shows: the unit's name as it offers it, however it was named
        (its id in a link, a bare name); text that names no unit, as typed."""
        if not self.searching:
            return super().prepare_value(value)
        if not isinstance(value, Unit):
            try:
                value = self.to_python(value)
            except ValidationError:
                return value
        return label(value, with_county=self.with_county) if value else ""

    def to_python(self, value):
        if not self.searching:
            return super().to_python(value)
        text = " ".join(str(value or "").split())
        if not text:
            return None
        if text.isdigit():  # a link or the API names the unit by its id
            return super().to_python(text)
        found = self.queryset.filter(name=text)
        named = _WITH_COUNTY.match(text)
        if not found.exists() and named:
            found = self.queryset.filter(name=named["name"].strip(), region__name=named["county"].strip())
        units = list(found.select_related("region")[:2])
        if not units:
            raise ValidationError(_("没有名为“%(name)s”的单位，请从列表中选择。") % {"name": text[:50]})
        if len(units) > 1:
            raise ValidationError(_("有多个单位名为“%(name)s”，请选择带县名的一项。") % {"name": text[:50]})
        return units[0]
