from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from wenzheng.lib.formtext import NamedLimits
from wenzheng.reports import periods
from wenzheng.reports.widgets import PeriodPicker

from .models import Scheme

PERIOD_HELP = _(
    "选择季度、年度或月份；其他期间可填写，如 2026（年度）、2026Q1或2026年第一季度（季度）、2026-03（月份）、"
    "2026-01-01..2026-06-30（自定义）"
)


class PeriodField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("考评期间"))
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", PERIOD_HELP)
        kwargs.setdefault("widget", PeriodPicker)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            periods.started(value, now=timezone.now())
        except periods.BadPeriod as e:
            raise forms.ValidationError(str(e)) from None
        return periods.normalise(value)


class SchemeChoice(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Scheme.objects.none(), **kwargs)

    def label_from_instance(self, obj):
        # As every page names a scheme; its code (an identifier such as "default",
        # for files and the command line) is not a word for the office. Whose it is
        # when it is a region's: the city office's list holds every county's.
        said = {"name": obj.name, "version": obj.version, "owner": obj.owner_name}
        if obj.region_id is None:
            return _g("%(name)s（第%(version)s版）") % said
        return _g("%(name)s（第%(version)s版，%(owner)s）") % said


class SchemesForRegion:
    """A form that scores a region with schemes: its choices are the schemes the user
    may use, and each chosen must be one the region may use (shared, its own, its
    city's): one county's scheme never scores another county."""

    scheme_fields = ()

    def _offer_schemes(self, schemes):
        for name in self.scheme_fields:
            self.fields[name].queryset = schemes.select_related("region").order_by("code", "-version")

    def clean(self):
        data = super().clean()
        region = data.get("region")
        for name in self.scheme_fields:
            scheme = data.get(name)
            if region is not None and scheme is not None and not scheme.may_score(region):
                self.add_error(name, scheme.refusal_for(region))
        return data


class RegionChoice(forms.ModelChoiceField):
    def __init__(self, regions, **kwargs):
        super().__init__(queryset=regions.order_by("kind", "name"), to_field_name="code", **kwargs)

    def label_from_instance(self, obj):
        return obj.name


def preselect_single_choices(form) -> None:
    """A region or scheme with only one choice is chosen already; with several, none
    is, and the form refuses to run until one is (a blank choice, not the first)."""
    for name in ("region", "scheme", "a", "b"):
        field = form.fields.get(name)
        if not isinstance(field, forms.ModelChoiceField):
            continue
        only = [] if form.is_bound else list(field.queryset[:2])
        if len(only) == 1 and not form.initial.get(name):
            form.initial[name] = getattr(only[0], field.to_field_name or "pk")
            field.empty_label = None
        elif field.empty_label is not None:  # sent back with an error too: not Django's ---------
            field.empty_label = _g("请选择")


class RunForm(SchemesForRegion, NamedLimits, forms.Form):
    region = forms.Field(label=_("区域"))
    period = PeriodField()
    scheme = SchemeChoice(label=_("考评方案"))

    scheme_fields = ("scheme",)

    def __init__(self, *args, regions, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionChoice(regions, label=_("区域"))
        self._offer_schemes(schemes)
        preselect_single_choices(self)


class CompareForm(SchemesForRegion, NamedLimits, forms.Form):
    region = forms.Field(label=_("区域"))
    period = PeriodField()
    a = SchemeChoice(label=_("方案甲（现行）"))
    b = SchemeChoice(label=_("方案乙（假设）"))

    scheme_fields = ("a", "b")

    def __init__(self, *args, regions, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionChoice(regions, label=_("区域"))
        self._offer_schemes(schemes)
        preselect_single_choices(self)


class BulletinForm(NamedLimits, forms.Form):
    region = forms.Field(label=_("区域"))
    period = PeriodField(label=_("通报期间"), help_text=_("如 2026Q1（季度），也可为年度或月份"))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionChoice(regions, label=_("区域"))
        preselect_single_choices(self)


class UploadForm(NamedLimits, forms.Form):
    file = forms.FileField(label=_("文件"))

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > self.MAX_BYTES:
            raise forms.ValidationError(_("文件不能超过5MB。"))
        return f


class BulletinUploadForm(UploadForm):
    file = forms.FileField(label=_("市通报 Excel 文件（.xlsx）"))
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionChoice(regions, label=_("区域"))
        preselect_single_choices(self)


class SchemeUploadForm(UploadForm):
    file = forms.FileField(label=_("考评方案文件（.toml 或 .json）"))


class AdoptForm(NamedLimits, forms.Form):
    """改用此版本: where the version becomes the one in use (access.adoption_targets)."""

    region = forms.ChoiceField(
        label=_("改用于"), error_messages={"invalid_choice": _("该区域不能改用这一版，或已在使用这一版。")}
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.fields["region"].choices = [
            (key, region.name if region is not None else _("各县共用（默认）")) for key, region in targets.items()
        ]
        self.fields["region"].required = False  # "" is the shared default, for the administrator
        if any(r is None or r.kind == r.Kind.CITY for r in targets.values()):
            self.fields["region"].help_text = _g("改用于市或各县共用时，没有自己方案版本的县（区）也随之使用这一版。")

    def clean_region(self):
        key = self.cleaned_data["region"]
        if key not in self.targets:
            raise forms.ValidationError(self.fields["region"].error_messages["invalid_choice"])
        return self.targets[key]
