"""The notices pages: a person's list (the bell's), their preferences, and the page a
citizen's SMS or e-mail links to, with its unsubscribe button."""

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from wenzheng.accounts.models import Role
from wenzheng.handling.models import Message
from wenzheng.lib.http import local_path, row_id
from wenzheng.lib.paging import page_of
from wenzheng.security import limits

from .forms import ContactForm, PreferenceForm
from .models import CitizenOptOut, Delivery, Notice, Preference

PAGE_SIZE = 30


def _mine(user):
    return Notice.objects.filter(recipient=user, to_citizen=False)


@login_required
def notice_list(request):
    unread_only = request.GET.get("show") == "unread"
    found = _mine(request.user).select_related("message")
    if unread_only:
        found = found.filter(read_at__isnull=True)
    page = page_of(request, found, PAGE_SIZE)
    context = {
        "nav": "notices",
        "page": page,
        "unread_only": unread_only,
        "unread": _mine(request.user).filter(read_at__isnull=True).count(),
    }
    return render(request, "notifications/list.html", context)


@login_required
def notice_open(request, pk):
    """Follow a notice's link, marking it read."""
    notice = get_object_or_404(_mine(request.user).select_related("message"), pk=pk)
    if notice.read_at is None:
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    message, unit_id = notice.message, request.user.unit_id
    if (
        message is not None
        and unit_id is not None
        and message.unit_id != unit_id
        and notice.link == reverse("workspace:message", args=[message.pk])
    ):
        # A message moved to another unit since (退单 adopted, 改派): its page is no
        # longer this unit's to see, and a bare 404 said nothing of why.
        flash.info(request, _("留言%(serial)s已转交其他单位办理，本单位无需再办理。") % {"serial": message.serial})
        return redirect("notifications:list")
    target = notice.link or "notifications:list"
    if notice.link and not url_has_allowed_host_and_scheme(notice.link, {request.get_host()}):
        target = "notifications:list"
    return redirect(target)


@login_required
@require_POST
def mark_read(request):
    """Mark one notice read (`notice`), or all of them."""
    unread = _mine(request.user).filter(read_at__isnull=True)
    if request.POST.get("notice"):
        pk = row_id(request.POST["notice"])
        unread = unread.filter(pk=pk) if pk is not None else unread.none()
    n = unread.update(read_at=timezone.now())
    flash.success(request, _("已将%(n)s条通知标为已读。") % {"n": n})
    if back := local_path(request, request.POST.get("next")):
        return redirect(back)
    return redirect("notifications:list")


@login_required
def preferences(request):
    pref, _created = Preference.objects.get_or_create(user=request.user)
    staff = request.user.role != Role.CITIZEN
    data = request.POST or None
    form = PreferenceForm(data, instance=pref, prefix="pref")
    form.fields["daily_digest"].help_text = form.fields["daily_digest"].help_text % {"hour": settings.DIGEST_HOUR}
    if not staff:
        del form.fields["daily_digest"]
    contact = ContactForm(data, instance=request.user, prefix="contact") if staff else None
    if request.method == "POST" and form.is_valid() and (contact is None or contact.is_valid()):
        with transaction.atomic():
            form.save()
            if contact is not None:
                contact.save()
        flash.success(request, _("通知设置已保存。"))
        return redirect("notifications:settings")
    context = {"nav": "notices", "form": form, "contact": contact, "staff": staff}
    return render(request, "notifications/settings.html", context, status=400 if request.method == "POST" else 200)


# --- the citizen's link -------------------------------------------------------------


def _by_code(request, code):
    """The message of a notice's link, or the tracking page's 429. A link is followed,
    not typed: a code that is no message's counts against the tracking page's limit,
    so codes guessed one after another stop there as they do on that page; the
    citizen following their own link is never counted."""
    decision = limits.peek("track", request)
    if not decision.blocked:
        found = Message.objects.select_related("region", "unit").filter(tracking_code=code.strip().upper()).first()
        if found is not None:
            return found, None
        decision = limits.attempt("track", request)
        if not decision.blocked:
            raise Http404
    return None, limits.refusal(request, decision)


def landing(request, code):
    """Where a citizen's SMS or e-mail leads: the state of the message (its content
    needs the passcode, on the tracking page, or the citizen's account) and a way to
    stop the notices. The citizen signed in to the account the message was written
    from goes straight on to its page, as they see it there (the passcode page asked
    them for what their account already proves)."""
    message, refused = _by_code(request, code)
    if refused:
        return refused
    if request.user.is_authenticated and message.citizen_id == request.user.pk:
        return redirect("public:message", region=message.region.code, serial=message.serial)
    return _landing(request, message)


def _landing(request, message):
    opted_out = CitizenOptOut.objects.filter(message=message).exists()
    context = {
        "nav": "track",
        "m": message,
        "opted_out": opted_out,
        # Written from an account: signing in to it shows the message as the passcode does.
        "sign_in": _sign_in(message) if message.citizen_id and not request.user.is_authenticated else "",
        "main": message.merged_into if message.state == Message.State.MERGED else None,
    }
    return render(request, "notifications/landing.html", context)


def _sign_in(message) -> str:
    """The login page, coming back to the link (and so on to the message's page)."""
    back = reverse("notifications:landing", args=[message.tracking_code])
    return f"{reverse('login')}?{urlencode({'next': back})}"


@csrf_exempt  # RFC 8058: a mail program posts here without a page, hence without a token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, code):
    """退订: nothing more is sent about this message, and what waits is not sent.
    Opened in a browser (the link in an e-mail), the page with the button: a GET
    changes nothing (a mail scanner follows links), and it answered 405 before."""
    message, refused = _by_code(request, code)
    if refused:
        return refused
    if request.method != "POST":
        return _landing(request, message)
    stop(message)
    return _landing(request, message)


def stop(message, *, at=None) -> None:
    at = at or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                CitizenOptOut.objects.create(message=message, at=at)
        except IntegrityError:
            pass  # asked twice
        Delivery.objects.filter(
            notice__message=message,
            notice__to_citizen=True,
            state__in=[Delivery.State.QUEUED, Delivery.State.HELD],
        ).update(state=Delivery.State.SKIPPED, error="网民已退订。")
