"""The county office's import page (upload, progress bar, row-by-row report) and the
exports of messages and events."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from wenzheng.accounts.models import Role
from wenzheng.accounts.policy import contact_visible, contact_visible_flag, search_audience
from wenzheng.eventlog.models import Event
from wenzheng.handling.models import Message
from wenzheng.ops.models import WorkerBeat
from wenzheng.public.forms import BoardFilterForm
from wenzheng.reports import periods
from wenzheng.units.models import Region

from . import exports
from .forms import ImportForm
from .models import ImportJob, RowProblem, summary_line

IMPORT_ROLES = (Role.COUNTY_OFFICE, Role.ADMIN)
STAFF_ROLES = (Role.HANDLER, Role.LEADER, Role.COUNTY_OFFICE, Role.CITY_OFFICE, Role.ADMIN)
OFFICE_ROLES = (Role.COUNTY_OFFICE, Role.CITY_OFFICE, Role.ADMIN)
# How many problems the page lists; the full report is a download.
PROBLEMS_SHOWN = 200


def _require(user, roles):
    if user.role not in roles:
        raise PermissionDenied("此功能仅供网络问政办工作人员使用。")


def _counties(user):
    counties = Region.objects.filter(kind=Region.Kind.COUNTY).order_by("name")
    return counties if user.role == Role.ADMIN else counties.filter(pk=user.region_id)


def _job(user, pk) -> ImportJob:
    """A job of a county the user oversees; 404 for anyone else's."""
    job = get_object_or_404(ImportJob.objects.select_related("region", "created_by"), pk=pk)
    if not user.oversees(job.region):
        raise Http404("不是您管辖的县（区）的导入任务")
    return job


@login_required
def imports(request):
    _require(request.user, IMPORT_ROLES)
    counties = _counties(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, regions=counties)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = ImportJob.objects.create(
            region=data["region"],
            created_by=request.user,
            created_at=timezone.now(),
            filename=data["file"].name[:200],
            content=data["file"].read(),
            source=data["source"].strip(),
            default_category=data["default_category"],
            default_unit=data["default_unit"],
            waive_registration=data["waive_registration"],
            create_topics=data["create_topics"],
            unanswered=data["unanswered"],
            replied=data["replied"],
            dry_run=data["dry_run"],
        )
        # The background worker (`manage.py work`) takes it from here.
        return redirect("bulk:job", pk=job.pk)
    recent = ImportJob.objects.filter(region__in=counties).select_related("created_by").defer("content")[:20]
    # The export's filters, with the unit picker: as the board's, over every state.
    scope = counties.first() if counties.count() == 1 else Region.objects.default()
    export_form = BoardFilterForm(region=scope, prefix=None) if scope is not None else None
    if export_form is not None:
        export_form.fields["status"].choices = [("", "全部状态"), *Message.State.choices]
    # Whose topic tree the rows are read by: the office's county by its level (本区);
    # the administrator's, the one each import chooses.
    here = _("本%(level)s") % {"level": counties.first().level} if counties.count() == 1 else _("该县（区）")
    context = {"nav": "work", "form": form, "jobs": recent, "export_form": export_form, "scope": scope, "here": here}
    return render(request, "bulk/imports.html", context)


@login_required
def job(request, pk):
    _require(request.user, IMPORT_ROLES)
    found = _job(request.user, pk)
    context = {
        "nav": "work",
        "job": found,
        # Counted once the job is done, not on every poll of the progress bar.
        "summary": [(kind, f"{rows:,}") for kind, rows in found.summary()] if found.finished else [],
        "problems": found.problems.all()[:PROBLEMS_SHOWN],
        "shown": PROBLEMS_SHOWN,
        # The messages it made, to find them again (their serials follow the day's own).
        "made": _made(found) if found.finished and not found.dry_run else None,
        "worker_alive": found.state != ImportJob.State.QUEUED or WorkerBeat.alive(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "bulk/_progress.html", context)
    return render(request, "bulk/job.html", context)


def _made(job) -> dict:
    made = Message.objects.filter(import_source__job=job).order_by("pk")
    return {"first": list(made[:MADE_SHOWN]), "last": made.last(), "count": made.count()}


MADE_SHOWN = 20


@login_required
def job_problems(request, pk):
    """The full report as CSV: the summary by kind of problem and the columns not
    imported, then row, column, kind and problem for each."""
    _require(request.user, IMPORT_ROLES)
    found = _job(request.user, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    summary = found.summary()
    if summary:
        writer.writerow(["问题汇总（一行有几类问题，就计入几类）"])
        writer.writerows([summary_line(kind, rows)] for kind, rows in summary)
    if found.ignored_columns:
        writer.writerow([exports.neutralise("未导入的列：" + "、".join(found.ignored_columns))])
    if summary or found.ignored_columns:
        writer.writerow([])
    writer.writerow(["行号", "列", "问题类型", "问题"])
    for problem in found.problems.all().iterator():
        writer.writerow(
            [
                problem.row,
                exports.neutralise(problem.column),
                RowProblem.kind_label(problem.kind),
                exports.neutralise(problem.problem),
            ]
        )
    response = HttpResponse(("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{found.pk}-problems.csv"'
    return response


def _stream(dataset, fmt, stem):
    response = StreamingHttpResponse(fmt.stream(dataset), content_type=fmt.content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.localdate():%Y%m%d}.{fmt.extension}"'
    return response


def _format(extension):
    fmt = exports.FORMATS.get(extension)
    if fmt is None:
        raise Http404("只能导出 .csv 或 .xlsx")
    return fmt


@login_required
def export_messages(request, extension):
    """The messages the user may see, filtered as the public board is filtered."""
    _require(request.user, STAFF_ROLES)
    fmt = _format(extension)
    found = Message.objects.visible_to(request.user)
    region = Region.objects.filter(code=request.GET.get("region")).first() if request.GET.get("region") else None
    if region is not None:
        found = found.filter(region__parent=region) if region.kind == Region.Kind.CITY else found.filter(region=region)
    scope = region or Region.objects.default()
    if scope is None:
        found, scope = found.none(), Region.objects.first() or Region(pk=0, kind=Region.Kind.COUNTY)
    form = BoardFilterForm(request.GET, region=scope)
    form.fields["status"].choices = [("", "全部状态"), *Message.State.choices]
    if not form.is_valid():
        return _refused("；".join(e for errors in form.errors.values() for e in errors))
    found = form.apply(found, audience=search_audience(request.user))
    contact = contact_visible(request.user)
    exports.record_contact_export(found, user=request.user, contact=contact, detail=_detail(request))
    return _stream(exports.messages(found, contact_flag=contact_visible_flag(request.user)), fmt, "messages")


def _refused(problem: str) -> HttpResponse:
    """An export that cannot be made, said as plain text: the problem quotes what was
    asked for, which must never be read as HTML (it was, unescaped, before)."""
    return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")


def _detail(request) -> str:
    """What was exported, for the access record: the file and its filters."""
    return request.path.rsplit("/", 1)[-1] + (f"?{request.GET.urlencode()}" if request.GET else "")


@login_required
def export_events(request, extension):
    """The event log of the counties the office oversees (the administrator's: all)."""
    _require(request.user, OFFICE_ROLES)
    fmt = _format(extension)
    found = Event.objects.all()
    if request.user.role == Role.COUNTY_OFFICE:
        found = found.filter(unit__region_id=request.user.region_id)
    elif request.user.role == Role.CITY_OFFICE:
        found = found.filter(unit__region__parent_id=request.user.region_id)
    if request.GET.get("period"):
        try:
            span = periods.parse(request.GET["period"])
        except periods.BadPeriod as e:
            return _refused(str(e))
        found = found.filter(at__gte=span.start, at__lt=span.end)
    # A county office's export holds its own county's events, whose citizens' details
    # it may see; the city office may see none (accounts.policy).
    masked = request.user.role == Role.CITY_OFFICE
    return _stream(exports.events(found, masked=masked), fmt, "events")
