"""The county office's one-click (and bulk) acceptance of routing suggestions."""

from django.contrib import messages as flash
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenzheng.accounts.policy import ActionRefused
from wenzheng.lib.http import local_path, row_id
from wenzheng.workspace import selectors
from wenzheng.workspace.access import county_for, county_staff_only

from . import routing


def _back(request, county):
    target = local_path(request, request.POST.get("next"))
    if target is not None and target.startswith("/work/"):
        return redirect(target)
    return redirect("workspace:dispatch", code=county.code)


@county_staff_only
@require_POST
def accept(request, code, pk):
    county = county_for(request.user, code)
    message = get_object_or_404(selectors.dispatch_queue(request.user, county), pk=pk)
    try:
        done = routing.accept(message=message, by=request.user, shown_unit=row_id(request.POST.get("unit")))
    except ActionRefused as e:
        flash.error(request, e.reason)
    else:
        message = done.message
        flash.success(
            request,
            _("已采纳建议，留言%(serial)s交办%(unit)s。") % {"serial": message.serial, "unit": message.unit.name},
        )
        for note in done.notes:
            flash.warning(request, note)
    return _back(request, county)


@county_staff_only
@require_POST
def bulk_accept(request, code):
    """Each checked message to its own suggested unit: one dispatch each, and one
    refused does not stop the others."""
    county = county_for(request.user, code)
    # Row ids as the page sent them; anything else (a forged "²", twenty digits) is
    # named and skipped, never handed to the database.
    posted = request.POST.getlist("bulk-messages")
    ids = [pk for pk in map(row_id, posted) if pk is not None]
    if len(ids) < len(posted):
        flash.error(request, _("有%(n)s项勾选不是有效的留言，已忽略。") % {"n": len(posted) - len(ids)})
    if not ids:
        flash.error(request, _("请先勾选要交办的留言。"))
        return _back(request, county)
    queue = list(selectors.dispatch_queue(request.user, county).filter(pk__in=ids).order_by("submitted_at", "pk"))
    done, refused = [], []
    if len(queue) < len(set(ids)):
        refused.append(
            _("%(n)s条勾选的留言已不在待交办队列中（可能已由他人交办），未作处理。") % {"n": len(set(ids)) - len(queue)}
        )
    notes = []
    for message in queue:
        # The unit each card named (`shown-<id>`): accepted only if it is still the offer.
        shown = row_id(request.POST.get(f"shown-{message.pk}"))
        try:
            accepted = routing.accept(message=message, by=request.user, shown_unit=shown)
        except ActionRefused as e:
            refused.append(_("%(serial)s：%(reason)s") % {"serial": message.serial, "reason": e.reason})
        else:
            done.append(f"{message.serial}→{accepted.message.unit.name}")
            notes += [f"{message.serial}：{note}" for note in accepted.notes]
    if done:
        flash.success(request, _("已采纳%(n)s条留言的分拨建议：%(list)s。") % {"n": len(done), "list": "、".join(done)})
    for line in notes:
        flash.warning(request, line)
    for line in refused:
        flash.error(request, line)
    return _back(request, county)
