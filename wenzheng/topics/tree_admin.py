"""The topic tree as CSV in the admin (事项分类导入、导出): a county office exports its
county's tree and imports one back, seeing what would change before anything does.

An import goes in two steps: the file is read and planned against the county's tree
(catalogue.plan) and the changes are shown, with every problem by row; confirming
plans it again and writes it only if it would change exactly what was shown, all of
it or nothing (catalogue.apply). The CSV text travels in the confirming form, so no
upload is kept on the server between the two steps."""

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenzheng.accounts.models import Role
from wenzheng.accounts.policy import region_scope
from wenzheng.lib.formtext import NamedLimits
from wenzheng.units.models import Region

from . import catalogue

MAX_BYTES = 1024 * 1024  # the default tree is 5 KB; a county's own, with units, a few dozen


def readable_counties(user):
    """The counties whose tree `user` may export: as the topic admin lists them."""
    return Region.objects.filter(kind=Region.Kind.COUNTY).filter(region_scope(user, "")).order_by("name")


def changeable_counties(user):
    """The counties whose tree `user` may import into: a county office its own, the
    administrator any; the city office only reads."""
    counties = Region.objects.filter(kind=Region.Kind.COUNTY).order_by("name")
    if user.is_superuser or user.role == Role.ADMIN:
        return counties
    if user.role == Role.COUNTY_OFFICE:
        return counties.filter(pk=user.region_id)
    return counties.none()


def decode(data: bytes) -> str:
    """A spreadsheet's CSV: UTF-8 (with or without a BOM) or, as Excel on a Chinese
    Windows saves it, GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise forms.ValidationError(_("文件不是UTF-8或GBK编码的CSV，请在表格软件中另存为“CSV UTF-8”后再上传。"))


class UploadForm(NamedLimits, forms.Form):
    region = forms.ModelChoiceField(label=gettext_lazy("县（区）"), queryset=Region.objects.none())
    file = forms.FileField(label=gettext_lazy("分类表（CSV）"))
    create = forms.BooleanField(label=gettext_lazy("新增表中没有的分类"), required=False)

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = counties
        # The importer's county by its level (本区); the administrator's, the one chosen.
        tree = _("所选县（区）的分类表")
        if len(counties) == 1:
            self.fields["region"].initial = counties[0].pk
            tree = _("本%(level)s分类表") % {"level": counties[0].level}
        self.fields["file"].help_text = _(
            "列：代码、名称、承办单位（多个单位以“；”分隔）、启用（是/否）；可先导出%(tree)s再修改。"
        ) % {"tree": tree}
        self.fields["create"].help_text = _("不勾选时，%(tree)s中还没有的代码逐行报错，不会新增。") % {"tree": tree}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("分类表文件不能超过1MB。"))
        return decode(upload.read())


class ConfirmForm(NamedLimits, forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), widget=forms.HiddenInput)
    text = forms.CharField(widget=forms.HiddenInput, strip=False, max_length=MAX_BYTES)
    create = forms.BooleanField(required=False, widget=forms.HiddenInput)
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = counties


def export_view(model_admin, request):
    """The county's tree as a CSV file (with a BOM, so Excel reads the Chinese)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    counties = list(readable_counties(request.user))
    wanted = request.GET.get("region", "")
    county = next((c for c in counties if str(c.pk) == wanted), None)
    if county is None and len(counties) == 1:
        county = counties[0]
    if county is None:
        return TemplateResponse(
            request,
            "admin/topics/topic/export.html",
            {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, "counties": counties},
        )
    response = HttpResponse("\ufeff" + catalogue.dump(county), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="topics-{county.code}.csv"'
    return response


def import_view(model_admin, request):
    counties = changeable_counties(request.user)
    if not counties.exists() or not (
        model_admin.has_add_permission(request) and model_admin.has_change_permission(request)
    ):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("导入事项分类表"),
    }
    form, plan, confirm, problems = UploadForm(counties=counties), None, None, []
    if request.method == "POST" and "digest" in request.POST:
        confirm = ConfirmForm(request.POST, counties=counties)
        if confirm.is_valid():
            data = confirm.cleaned_data
            with transaction.atomic():
                try:
                    plan = catalogue.plan(data["region"], data["text"], create=data["create"])
                except catalogue.TreeError as error:
                    plan, problems = None, error.problems
                if plan is not None and plan.ok and plan.digest == data["digest"]:
                    counts = catalogue.apply(plan)
                    flash.success(
                        request,
                        _("%(county)s的事项分类表已导入：新增%(created)s个，修改%(updated)s个。")
                        % {"county": plan.region.name, **counts},
                    )
                    return redirect("admin:topics_topic_changelist")
            if plan is not None and plan.ok:
                # The tree moved on since the preview: show what the file would do now.
                flash.warning(
                    request,
                    _("预览之后本%(level)s分类表已有变化，请重新核对下列修改后再确认。") % {"level": plan.region.level},
                )
        else:
            problems = [_("确认信息不完整或不属于您可导入的县（区），请重新上传分类表。")]
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES, counties=counties)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = catalogue.plan(data["region"], data["file"], create=data["create"])
            except catalogue.TreeError as error:
                form.add_error("file", error.problems)
    if plan is not None and plan.ok:
        source = confirm.cleaned_data if confirm is not None else form.cleaned_data
        confirm = ConfirmForm(
            initial={
                "region": plan.region.pk,
                "text": source.get("text", source.get("file")),
                "create": plan.create,
                "digest": plan.digest,
            },
            counties=counties,
        )
    confirm = confirm if plan is not None and plan.ok else None
    context.update(form=form, plan=plan, confirm=confirm, problems=problems)
    return TemplateResponse(request, "admin/topics/topic/import.html", context)
