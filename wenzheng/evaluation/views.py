"""The evaluation's pages, for the county office, the city office and the admin."""

import re
from decimal import Decimal
from html import escape
from urllib.parse import quote, urlencode

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenzheng.accounts.policy import ActionRefused
from wenzheng.duplicates import selectors as duplicate_selectors
from wenzheng.handling.models import Category
from wenzheng.reports import periods
from wenzheng.reports.documents import DOCX_MIME, XLSX_MIME
from wenzheng.reports.periods import Period
from wenzheng.units.models import Region

from . import bulletin, bulletin_import, bulletin_pages, documents, evidence, kinds, publication, runs, schemes
from . import facts as facts_module
from .access import (
    adoption_targets,
    default_region,
    in_use,
    office_only,
    regions_for,
    run_for,
    scheme_owner,
    schemes_for,
)
from .forms import AdoptForm, BulletinForm, BulletinUploadForm, CompareForm, RunForm, SchemeUploadForm
from .models import PublishedBulletin, Run, Scheme, SchemeItem, owner_name
from .scheme_form import SchemeForm

NAV = "evaluation"


def _download(content: bytes, name: str, mime: str, *, ascii_name: str) -> HttpResponse:
    """The file `name`d in Chinese for browsers that read RFC 6266's filename*, and
    `ascii_name` (what it is, the region's code and the period: bulletin-luocheng-2026-01-01-2026-03-31.docx)
    for those that do not, rather than the digits left of the Chinese name."""
    response = HttpResponse(content, content_type=mime)
    stem, _, suffix = ascii_name.rpartition(".")
    fallback = f"{re.sub(r'[^A-Za-z0-9_-]+', '-', stem).strip('-') or 'wenzheng'}.{suffix}"
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return response


def _this_quarter(now):
    today = timezone.localdate(now)
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


# --- runs ---------------------------------------------------------------------------


@office_only
def index(request):
    regions = regions_for(request.user)
    # The period and the scheme are chosen, never pre-filled: a form sent as it came
    # must not run an evaluation nobody asked for (issue 10).
    form = RunForm(
        regions=regions, schemes=schemes_for(request.user), initial={"region": default_region(request.user).code}
    )
    found = Run.objects.filter(region__in=regions).select_related("region", "scheme", "created_by")[:100]
    return render(request, "evaluation/index.html", {"nav": NAV, "tab": "runs", "runs": found, "form": form})


@office_only
@require_POST
def run_new(request):
    form = RunForm(request.POST, regions=regions_for(request.user), schemes=schemes_for(request.user))
    if not form.is_valid():
        found = Run.objects.filter(region__in=regions_for(request.user)).select_related("region", "scheme")[:100]
        return render(
            request, "evaluation/index.html", {"nav": NAV, "tab": "runs", "runs": found, "form": form}, status=400
        )
    data = form.cleaned_data
    run = runs.run_evaluation(
        scheme=data["scheme"],
        region=data["region"],
        period=periods.parse(data["period"]),
        by=request.user,
    )
    earlier = run.same_as_earlier()
    said = _("已完成第%(n)s次考评：%(units)s个单位。") % {"n": run.pk, "units": run.units_count}
    if earlier:
        said += _("输入与第%(n)s次考评相同，结果一致。") % {"n": earlier.pk}
    flash.success(request, said)
    return redirect("evaluation:run", pk=run.pk)


def _grade_classes(bands) -> dict:
    """Badge colours by place, not by name: the top grade green, the lowest red, the
    one above it amber (优秀, 不合格, 合格 in the default scheme)."""
    labels = [label for _, label in bands]
    classes = dict.fromkeys(labels, "info")
    if len(labels) >= 3:
        classes[labels[-2]] = "warn"
    if labels:
        classes[labels[0]], classes[labels[-1]] = "ok", "bad"
    return classes


def _ranking(run):
    """The run's results as the page lists them: townships, departments, each ranked,
    then the units listed apart."""
    results = runs.labelled_results(run)
    classes = _grade_classes(run.scheme_snapshot["grades"])
    for r in results:
        r.item_points = runs.item_points(run, r)
        r.grade_class = classes.get(r.grade, "info")
    sections = []
    for kind, name in documents.KIND_NAMES.items():
        ranked = sorted(
            (r for r in results if r.unit_kind == kind and not r.apart), key=lambda r: (r.rank, r.unit_name)
        )
        sections.append((name, ranked))
    apart = sorted((r for r in results if r.apart), key=lambda r: (r.unit_kind != "township", r.unit_name))
    return results, sections, apart


@office_only
def run_detail(request, pk):
    run = run_for(request.user, pk)
    results, sections, apart = _ranking(run)
    context = {
        "nav": NAV,
        "tab": "runs",
        "run": run,
        "items": run.scheme_snapshot["items"],
        "sections": sections,
        "apart": apart,
        "summary": documents.report_summary(run, results),
        "earlier": run.same_as_earlier(),
        "cutoff": documents.moment(run.cutoff),
        "anchors": run.anchor_list,
        "can_publish": run.published_at is None and run.cutoff >= Period(run.first_day, run.last_day, "").end,
    }
    return render(request, "evaluation/run.html", context)


@office_only
def unit_detail(request, pk, unit, printing=False):
    run = run_for(request.user, pk)
    result = get_object_or_404(run.results.select_related("unit__region"), unit_id=unit)
    window = runs.window_of(run)
    scores = runs.rescore(run, result)
    now_facts = facts_module.collect(run.region, window, unit_ids=[result.unit_id]).of(result.unit_id)
    items = [
        {
            "item": item,
            "score": scores[item["key"]],
            "rule": kinds.get(item["kind"]).describe(item["params"], Decimal(item["max_points"])),
            "evidence": evidence.for_item(item, result.unit, window),
        }
        for item in run.scheme_snapshot["items"]
    ]
    evidence.mask_for_reader(request.user, result.unit, [i["evidence"] for i in items])
    context = {
        "nav": NAV,
        "tab": "runs",
        "run": run,
        "result": result,
        "items": items,
        "changed": now_facts != result.facts,
        "cutoff": documents.moment(run.cutoff),
        "run_full": sum((Decimal(i["max_points"]) for i in run.scheme_snapshot["items"]), Decimal(0)),
        "merged": duplicate_selectors.merged_for_unit(result.unit, start=window.start, end=window.cutoff),
        "printing": printing,
        "printed_at": timezone.now(),
    }
    return render(request, "evaluation/unit_print.html" if printing else "evaluation/unit.html", context)


@office_only
def report(request, pk):
    run = run_for(request.user, pk)
    results, sections, apart = _ranking(run)
    context = {
        "nav": NAV,
        "tab": "runs",
        "run": run,
        "title": documents.report_title(run),
        "subtitle": documents.report_subtitle(run),
        "summary": documents.report_summary(run, results),
        "scheme_rows": documents.scheme_rows(run),
        "sections": sections,
        "apart": apart,
        "grades": _grade_counts(run, results),
        "anchors": run.anchor_list,
    }
    return render(request, "evaluation/report.html", context)


def _grade_counts(run, results):
    ranked = [r for r in results if not r.apart]
    return [(label, sum(r.grade == label for r in ranked)) for _, label in run.scheme_snapshot["grades"]]


@office_only
def report_file(request, pk, fmt):
    run = run_for(request.user, pk)
    name = f"{documents.report_title(run)}（第{run.pk}次）.{fmt}"
    ascii_name = f"evaluation-{run.region.code}-{run.period_code}-run{run.pk}.{fmt}"
    if fmt == "docx":
        return _download(documents.report_docx(run), name, DOCX_MIME, ascii_name=ascii_name)
    return _download(documents.report_xlsx(run), name, XLSX_MIME, ascii_name=ascii_name)


# --- what-if ------------------------------------------------------------------------


@office_only
def compare(request):
    regions = regions_for(request.user)
    usable = schemes_for(request.user)
    form = CompareForm(request.GET or None, regions=regions, schemes=usable)
    if not request.GET:
        region = default_region(request.user)
        form = CompareForm(
            regions=regions,
            schemes=usable,
            initial={
                "region": region.code,
                "period": str(timezone.localdate().year),
                "a": Scheme.objects.default_for(region),
            },
        )
    rows = summary = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        rows = runs.compare(
            scheme_a=data["a"], scheme_b=data["b"], region=data["region"], period=periods.parse(data["period"])
        )
        up = sum(1 for r in rows if (r.change or 0) > 0)
        down = sum(1 for r in rows if (r.change or 0) < 0)
        moved = sum(1 for r in rows if r.a.apart != r.b.apart)
        summary = _("与方案甲相比，方案乙下%(up)s个单位名次上升，%(down)s个下降。") % {"up": up, "down": down}
        if moved:
            summary += _("%(n)s个单位是否单列发生变化。") % {"n": moved}
    return render(
        request,
        "evaluation/compare.html",
        {"nav": NAV, "tab": "compare", "form": form, "rows": rows, "summary": summary},
    )


# --- the bulletin -------------------------------------------------------------------


def _bulletin_from(request):
    # The office's own region and this quarter where the link leaves them out (a link
    # with the period alone, ?period=2026Q1; the page opened bare).
    asked = request.GET.copy()
    if not asked:
        asked["period"] = _this_quarter(timezone.now())
    if not asked.get("region"):
        asked["region"] = default_region(request.user).code
    form = BulletinForm(asked, regions=regions_for(request.user))
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, bulletin.assemble(data["region"], periods.parse(data["period"]), now=timezone.now())


@office_only
def bulletin_page(request):
    form, found = _bulletin_from(request)
    context = {"nav": NAV, "tab": "bulletin", "form": form, "b": found}
    if found is not None:
        context |= bulletin_pages.context(found) | {
            "query": request.GET.urlencode(),
            "can_publish": found.period.end <= timezone.now(),
            "published": PublishedBulletin.objects.filter(
                region=form.cleaned_data["region"], period_code=periods.code_of(found.period)
            ).first(),
        }
        published = context["published"]
        # Its summary (the counts) no longer what was published: history imported since…
        context["moved_since"] = (
            bool(published and published.body) and escape(found.figures.summary()) not in published.body
        )
    return render(request, "evaluation/bulletin.html", context, status=200 if found else 400)


@office_only
@require_POST
def bulletin_publish(request):
    form = BulletinForm(request.POST, regions=regions_for(request.user))
    if not form.is_valid():
        raise Http404(_("统计期间有误"))
    data = form.cleaned_data
    try:
        publication.publish_bulletin(region=data["region"], code=data["period"], by=request.user)
    except ActionRefused as e:
        flash.error(request, e.reason)
    else:
        flash.success(request, _("通报已发布，公众可以查看。"))
    return redirect(
        f"{reverse('evaluation:bulletin')}?{urlencode({'region': data['region'].code, 'period': data['period']})}"
    )


def public_bulletin(request, region, period):
    """The published bulletin, for anyone: figures, units and lateness, no titles."""
    published = get_object_or_404(
        PublishedBulletin.objects.select_related("region"), region__code=region, period_code=period.upper()
    )
    context = {"nav": "statistics", "published": published, "listed": published.red_black}
    context["anchors"] = published.anchor_list
    if not published.body:
        # Published before its body was kept: counted again, as it was then shown.
        found = bulletin.assemble(published.region, periods.parse(published.period_code), now=timezone.now())
        context |= bulletin_pages.context(found)
    return render(request, "evaluation/public_bulletin.html", context)


def publications(request, region):
    """通报与考评公示: what a county (or city) office has published, newest first, each
    with its anchors, and the latest published quarter's red and black list."""
    place = get_object_or_404(Region, code=region)
    bulletins = list(PublishedBulletin.objects.filter(region=place).order_by("-published_at", "-pk"))
    results = list(Run.objects.filter(region=place, published_at__isnull=False).order_by("-last_day", "-published_at"))
    # The red and black list of the latest quarter (a month's or a year's bulletin,
    # published since, replaced it: a newcomer's trial).
    quarters = [b for b in bulletins if b.red_black and periods.QUARTER.match(b.period_code)]
    latest = max(quarters, key=lambda b: periods.parse(b.period_code).last_day, default=None)
    context = {
        "nav": "statistics",
        "region": place,
        "bulletins": bulletins,
        "results": results,
        "latest": latest,
        "listed": latest.red_black if latest else None,
        # A city's page leads to each county's own (a trial: it read 尚未发布通报 alone
        # while its counties had published every quarter).
        "counties": place.children.order_by("name") if place.kind == Region.Kind.CITY else [],
    }
    return render(request, "evaluation/publications.html", context)


def public_results(request, region, period):
    """A published evaluation's results, for anyone: ranks, totals, grades, the rules
    they were scored by, and the anchors of the chains they were read from."""
    run = get_object_or_404(
        Run.objects.select_related("region"),
        region__code=region,
        period_code=period.upper(),
        published_at__isnull=False,
    )
    results, sections, apart = _ranking(run)
    context = {
        "nav": "statistics",
        "run": run,
        "title": documents.report_title(run),
        "subtitle": documents.report_subtitle(run),
        "summary": documents.report_summary(run, results),
        "scheme_rows": documents.scheme_rows(run),
        "sections": sections,
        "apart": apart,
        "anchors": run.anchor_list,
    }
    return render(request, "evaluation/public_results.html", context)


@office_only
@require_POST
def run_publish(request, pk):
    run = run_for(request.user, pk)
    try:
        publication.publish_results(run=run, by=request.user)
    except ActionRefused as e:
        flash.error(request, e.reason)
    else:
        flash.success(request, _("考评结果已公布，公众可以查看。"))
    return redirect("evaluation:run", pk=run.pk)


@office_only
def bulletin_file(request, fmt):
    _form, found = _bulletin_from(request)
    if found is None:
        # A link typed or shared with a period or region that is not (yet) there:
        # the bulletin's page says what is wrong with it, beside its form.
        return redirect(f"{reverse('evaluation:bulletin')}?{request.GET.urlencode()}")
    days = found.period
    ascii_name = f"bulletin-{found.region.code}-{days.first_day}-{days.last_day}.{fmt}"  # as a run's period_code
    if fmt == "docx":
        return _download(documents.bulletin_docx(found), f"{found.title}.docx", DOCX_MIME, ascii_name=ascii_name)
    return _download(documents.bulletin_xlsx(found), f"{found.title}.xlsx", XLSX_MIME, ascii_name=ascii_name)


# --- city bulletin findings ---------------------------------------------------------


@office_only
def findings_import(request):
    regions = regions_for(request.user)
    report = None
    if request.method == "POST":
        form = BulletinUploadForm(request.POST, request.FILES, regions=regions)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = bulletin_import.import_file(
                upload.read(),
                file_name=upload.name,
                region=form.cleaned_data["region"],
                by=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
            if report.imported:
                flash.success(request, _("已导入%(n)s条市通报，均已记入督查结果。") % {"n": report.imported.rows})
    else:
        form = BulletinUploadForm(regions=regions, initial={"region": default_region(request.user).code})
    return render(
        request,
        "evaluation/findings_import.html",
        {"nav": NAV, "tab": "findings", "form": form, "report": report},
        status=400 if report is not None and not report.ok else 200,
    )


@office_only
def findings_template(request):
    return _download(
        bulletin_import.template_xlsx(),
        _("市季度通报导入模板.xlsx"),
        XLSX_MIME,
        ascii_name="bulletin-import-template.xlsx",
    )


# --- schemes ------------------------------------------------------------------------


def _scheme_list(request, form, errors=(), status=200):
    found = list(
        schemes_for(request.user).select_related("region").prefetch_related("items").order_by("code", "-version")
    )
    where = in_use(request.user, {s.code for s in found})
    for scheme in found:
        scheme.in_use = where.get(scheme.pk, [])
    used = set(Run.objects.values_list("scheme_id", flat=True).distinct())
    context = {
        "nav": NAV,
        "tab": "schemes",
        "schemes": found,
        "used": used,
        "form": form,
        "errors": errors,
        "owner_name": owner_name(scheme_owner(request.user)),
    }
    return render(request, "evaluation/schemes.html", context, status=status)


@office_only
def scheme_list(request):
    return _scheme_list(request, SchemeUploadForm())


def _scheme_for(request, pk):
    """A scheme the user may read, or 404: another county's is not theirs to learn of."""
    return get_object_or_404(schemes_for(request.user).select_related("region").prefetch_related("items"), pk=pk)


@office_only
def scheme_detail(request, pk):
    scheme = _scheme_for(request, pk)
    items = [
        {"item": item, "rule": item.rule_text(), "params": schemes._toml_value(item.params)}
        for item in scheme.items.all()
    ]
    return render(
        request,
        "evaluation/scheme.html",
        {
            "nav": NAV,
            "tab": "schemes",
            "scheme": scheme,
            "items": items,
            "runs": scheme.runs.count(),
            "in_place": _edits_in_place(request.user, scheme),
            "uses": in_use(request.user, [scheme.code]).get(scheme.pk, []),
            "adopt": AdoptForm(targets=adoption_targets(request.user, scheme)),
        },
    )


@office_only
@require_POST
def scheme_adopt(request, pk):
    """改用此版本: the version becomes what a region is scored by unless told otherwise."""
    scheme = _scheme_for(request, pk)
    form = AdoptForm(request.POST, targets=adoption_targets(request.user, scheme))
    if not form.is_valid():
        flash.error(request, " ".join(form.errors["region"]))
        return redirect("evaluation:scheme", pk=scheme.pk)
    owner = form.cleaned_data["region"]
    try:
        used, created = schemes.adopt(scheme, owner=owner)
    except ValidationError as e:
        flash.error(request, " ".join(e.messages))
        return redirect("evaluation:scheme", pk=scheme.pk)
    said = {"owner": owner_name(owner), "v": scheme.version, "new": used.version}
    if created:
        flash.success(request, _("%(owner)s已改用第%(v)s版：另存为%(owner)s的第%(new)s版，此后考评默认使用。") % said)
    else:
        flash.info(request, _("%(owner)s现用的第%(new)s版与第%(v)s版内容相同，无需改用。") % said)
    return redirect("evaluation:scheme", pk=used.pk)


def _edits_in_place(user, scheme) -> bool:
    """Whether the user's change to this scheme is saved in it (unused and their own)
    rather than as a new version of their own."""
    return not scheme.locked and scheme.owned_by(scheme_owner(user, scheme))


@office_only
def scheme_export(request, pk):
    scheme = _scheme_for(request, pk)
    text = schemes.to_toml(schemes.snapshot(scheme))
    name = f"{scheme.code}-v{scheme.version}.toml"
    return _download(text.encode(), name, "application/toml; charset=utf-8", ascii_name=name)


@office_only
@require_POST
def scheme_import(request):
    form = SchemeUploadForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            scheme, created = schemes.store(schemes.parse(raw.decode("utf-8")), owner=scheme_owner(request.user))
        except UnicodeDecodeError:
            errors = [_("文件应为 UTF-8 编码的文本。")]
        except ValidationError as e:
            errors = e.messages
        else:
            said = {"code": scheme.code, "v": scheme.version, "owner": scheme.owner_name}
            if created:
                flash.success(request, _("已保存为“%(code)s”第%(v)s版（%(owner)s）。") % said)
            else:
                flash.info(request, _("与“%(code)s”第%(v)s版（%(owner)s）内容相同，未新建版本。") % said)
            return redirect("evaluation:scheme", pk=scheme.pk)
    return _scheme_list(request, form, errors, status=400)


@office_only
def scheme_edit(request, pk):
    """The scheme's numbers in a form: saved in place while unused and the office's
    own, as the office's next version otherwise."""
    scheme = _scheme_for(request, pk)
    owner = scheme_owner(request.user, scheme)
    snapshot = schemes.snapshot(scheme)
    categories = dict(Category.objects.order_by("order", "pk").values_list("code", "name"))
    form = SchemeForm(request.POST or None, scheme=snapshot, categories=categories)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            saved, outcome = schemes.save_edit(scheme, form.data_for_scheme(), owner=owner)
        except ValidationError as e:
            errors = e.messages
        else:
            said = {
                "unchanged": _("没有改动。"),
                "edited": _("已保存“%(name)s”第%(v)s版。"),
                "new_version": _("第%(old)s版已用于考评，改动已另存为第%(v)s版。")
                if scheme.region_id == saved.region_id
                else _("第%(old)s版是%(from)s的方案，改动已另存为%(owner)s的第%(v)s版。"),
                "same_as": _("改动后与%(owner)s现用的第%(v)s版相同，未新建版本。"),
            }[outcome] % {
                "name": saved.name,
                "v": saved.version,
                "old": scheme.version,
                "from": scheme.owner_name,
                "owner": saved.owner_name,
            }
            flash.success(request, said)
            return redirect("evaluation:scheme", pk=saved.pk)
    context = {
        "nav": NAV,
        "tab": "schemes",
        "scheme": scheme,
        "form": form,
        "errors": errors,
        "items": [
            {
                "item": entry["item"],
                "kind": SchemeItem.Kind(entry["item"]["kind"]).label,
                "fields": [form[name] for name in entry["fields"]],
            }
            for entry in form.items
        ],
        "grades": [form[name] for name in form.grade_fields],
        "locked": scheme.locked,
        "in_place": _edits_in_place(request.user, scheme),
        "own": scheme.owned_by(owner),
        "owner_name": owner_name(owner),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/scheme_edit.html", context, status=status)
