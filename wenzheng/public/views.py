"""The public 网络问政 zone: for citizens on phones, the press and the public.

Nothing here shows a citizen's name, phone, ID number, e-mail or address; a
message's text only with the citizen's consent, after the county office's review
where it reviews first (Message.objects.published()), and then as its public
version with personal data masked (wenzheng.privacy.public). The citizen who wrote
it sees it as written, with what the review decided and why.
"""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from wenzheng.accounts.models import Role
from wenzheng.attachments import store as attachment_store
from wenzheng.attachments.access import files_by_text, shown_publicly, shown_to_writer
from wenzheng.attachments.models import Attachment
from wenzheng.evaluation.models import PublishedBulletin
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions, once, passcodes
from wenzheng.handling.models import Message, Reply, Revisit, parse_serial
from wenzheng.handling.passcodes import matches_in_constant_time
from wenzheng.handling.thread import conversation
from wenzheng.lib import paging
from wenzheng.lib.paging import page_of
from wenzheng.notifications.models import CitizenOptOut
from wenzheng.privacy.models import CountyPrivacy
from wenzheng.privacy.public import (
    PublicFollowUp,
    PublicReply,
    PublicThread,
    Publisher,
    citizen_names,
    merged_answer,
)
from wenzheng.reports import charts, figures, periods, tally
from wenzheng.reports.widgets import PeriodPicker
from wenzheng.search.highlights import mark_public
from wenzheng.security import captcha, limits
from wenzheng.supervision.models import Exposure
from wenzheng.topics import figures as topic_figures
from wenzheng.topics import forms as topic_forms
from wenzheng.units.models import Region
from wenzheng.units.selectors import office_for
from wenzheng.workdays import clock

from .forms import BoardFilterForm, FollowUpForm, ForgotPasscodeForm, PostForm, RatingForm, TrackForm

PAGE_SIZE = 20
SEARCH_RESULTS_SHOWN = 1000
# The tracking codes a visitor has proven with their passcode, kept in the session.
TRACKED = "tracked"


def _region(request):
    code = request.GET.get("region")
    region = get_object_or_404(Region, code=code) if code else Region.objects.default()
    if region is None:
        raise Http404(_("尚未设置行政区域"))
    return region


def _this_quarter(now):
    today = timezone.localdate(now)
    return periods.quarter_of(today)


# A listed message's own photos (what the citizen attached when writing it: public
# with the message unless the office withheld one), counted on its row.
OWN_PHOTOS = Prefetch(
    "attachments",
    queryset=Attachment.objects.filter(
        follow_up=None, source=Attachment.Source.CITIZEN, kind=Attachment.Kind.IMAGE, withheld_at=None
    ).only("pk", "message_id"),
    to_attr="own_photos",
)


def _public_messages(region):
    messages = Message.objects.published().select_related("unit", "category", "region", "citizen")
    messages = messages.prefetch_related("reviews", OWN_PHOTOS)
    if region.kind == Region.Kind.CITY:
        return messages.in_city(region)
    return messages.filter(region=region)


def home(request):
    now = timezone.now()
    region = _region(request)
    quarter = _this_quarter(now)
    latest = _with_public_titles(_public_messages(region).order_by("-submitted_at")[:8])
    context = {
        "nav": "home",
        "region": region,
        "figures": tally.figures(region, quarter, now=now),
        "latest": latest,
    }
    if region.kind == Region.Kind.CITY:
        # A city's thousands of units are listed county by county, each with its totals.
        context["counties"] = tally.per_county(region, quarter, now=now)
    else:
        page, rows = tally.unit_page(region, quarter, now=now, number=request.GET.get("units"))
        context.update(
            units_page=page,
            region_query=f"region={region.code}" if request.GET.get("region") else "",
            townships=[u for u in rows if u.unit.kind == "township"],
            departments=[u for u in rows if u.unit.kind == "department"],
        )
    return render(request, "public/home.html", context)


def board(request):
    region = _region(request)
    form = BoardFilterForm(request.GET or None, region=region)
    found = _public_messages(region).order_by("-submitted_at", "-pk")
    if form.is_valid():
        found = form.apply(found)
    query = form.query
    try:
        search = paging.search_results(
            request, found, query, ranked=form.ranked, size=PAGE_SIZE, shown_at_most=SEARCH_RESULTS_SHOWN
        )
    except paging.BadCursor:
        raise Http404(_("翻页位置不正确")) from None
    mark_public(search["page"].object_list, query, Publisher())
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("before", None)
    context = {"nav": "board", "region": region, "form": form, "query": params.urlencode(), **search}
    template = "public/_board_results.html" if request.headers.get("HX-Request") else "public/board.html"
    return render(request, template, context)


def _with_public_titles(messages) -> list:
    publisher = Publisher()
    messages = list(messages)
    for m in messages:
        m.public_title = publisher.title(m)
    return messages


def _thread(message):
    """The message with what the public may see of its handling, in few queries."""
    return (
        Message.objects.filter(pk=message.pk)
        .select_related("unit", "category", "topic", "region", "citizen")
        .prefetch_related(
            Prefetch("replies", queryset=Reply.objects.select_related("unit")),
            "follow_ups",
            "stages",
            "reviews",
            "attachments",
        )
        .get()
    )


def _as_written(m) -> PublicThread:
    """The thread as the citizen who wrote it reads it: nothing masked or left out."""
    return PublicThread(
        title=m.title,
        body=m.body,
        replies=[
            PublicReply(pk=r.pk, unit=r.unit.name, text=r.text, at=r.at, follow_up_id=r.follow_up_id)
            for r in m.replies.all()
        ],
        follow_ups=[PublicFollowUp(pk=f.pk, text=f.text, at=f.at) for f in m.follow_ups.all()],
    )


def _merge_undone(m) -> dict | None:
    """For a message whose merge (并单) was undone since it was last merged: when, the
    main message it had been merged into, and the rating its citizen had given that
    message's answer, withdrawn with the merge (actions.unmerge_duplicate). Its citizen
    reads it above the answers to their follow-ups the main message's unit gave."""
    if m.state == Message.State.MERGED:
        return None
    kinds = (Event.Kind.MERGED, Event.Kind.UNMERGED)
    last = m.events.filter(kind__in=kinds).order_by("-seq").only("kind", "at", "data").first()
    if last is None or last.kind != Event.Kind.UNMERGED:
        return None
    main = Message.objects.filter(pk=last.data.get("main")).only("year", "number").first()
    withdrawn = last.data.get("withdrawn_rating")
    return {
        "at": last.at,
        "main": main.serial if main is not None else "",
        "rating": Message.Rating(withdrawn["rating"]).label if withdrawn else "",
    }


def _review_notices(m) -> tuple:
    """What the county office's review decided, for the citizen: about the message,
    and about each follow-up (by its pk)."""
    reviews = list(m.reviews.all())
    own = next((r for r in reviews if r.follow_up_id is None), None)
    return own, {r.follow_up_id: r for r in reviews if r.follow_up_id}


def _deadlines(message) -> list:
    """The open deadlines the citizen is promised, each with its last day (a limit
    ends at 24:00 of that day), from stages already read."""
    open_stages = [s for s in message.stages.all() if s.completed_at is None]
    for s in open_stages:
        s.last_day = clock.deadline_day(s.due_at)
    return sorted(open_stages, key=lambda s: (s.due_at, s.kind != "response"))


def _responded_at(message):
    stages = [s for s in message.stages.all() if s.kind == "response" and s.outcome in ("on_time", "late")]
    return stages[-1].completed_at if stages else None


def message(request, region, serial):
    parsed = parse_serial(serial)
    if parsed is None:
        raise Http404(_("留言编号格式不对"))
    year, number = parsed
    found = get_object_or_404(Message.objects.select_related("region"), region__code=region, year=year, number=number)
    is_owner = request.user.is_authenticated and found.citizen_id == request.user.pk
    if not is_owner and not Message.objects.published().filter(pk=found.pk).exists():
        raise Http404(_("该留言未公开"))
    if serial != found.serial and request.method in ("GET", "HEAD"):
        # 2026-561 names 2026-000561: one address per message (for links shared and
        # counted), told only of a message the visitor may read.
        url = reverse("public:message", args=[found.region.code, found.serial])
        query = request.META.get("QUERY_STRING")
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
    if is_owner and request.method == "POST":
        return _citizen_step(request, found, actions.Citizen(user=request.user))
    return _render_thread(request, found, is_owner=is_owner)


def _render_thread(request, found, *, is_owner, tracked=False, bound=None, status=200):
    found = _thread(found)
    private = is_owner or tracked
    main, main_replies = merged_answer(found) if private else (None, [])
    # Followed up and rated after an answer: for a message merged into another (并单),
    # the main message's, while it stands (actions.follow_up, actions.rate).
    answered_by = main or found
    can_act = private and answered_by.state in Message.State.answered()
    can_rate = can_act and answered_by.state != "closure_pending" and not found.rating_stands()
    bound = bound or {}
    review, follow_up_reviews = _review_notices(found) if private else (None, {})
    # Its writer reads the message as written; everyone else its public version.
    thread = _as_written(found) if private else Publisher().thread(found)
    attachments = list(found.attachments.all())
    files = shown_to_writer(attachments) if private else shown_publicly(attachments, thread)
    return render(
        request,
        "public/message.html",
        {
            "nav": "mine" if is_owner else ("track" if tracked else "board"),
            "m": found,
            "t": thread,
            "thread": conversation(thread.replies, thread.follow_ups, reviews=follow_up_reviews),
            "review": review,
            "responded_at": _responded_at(found),
            "deadlines": _deadlines(found) if private else [],
            "private": private,
            # Whether the board shows it now: a review passed says "公开" only then (not
            # once it is taken off as spam, say).
            "published": private and Message.objects.published().filter(pk=found.pk).exists(),
            "opted_out": private and CitizenOptOut.objects.filter(message=found).exists(),
            # 回访: what the county office made of the citizen's 不满意, told to them alone.
            "revisits": list(found.revisits.filter(kind=Revisit.Kind.DISSATISFIED).order_by("opened_at"))
            if private
            else [],
            "follow_up_form": (bound.get("follow_up") or FollowUpForm()) if can_act else None,
            # Refused because it may no longer be followed up: what was typed, to copy.
            "unsent_follow_up": bound["follow_up"].data.get("text", "") if "follow_up" in bound else "",
            "rating_form": bound.get("rating") or (RatingForm(region=found.region) if can_rate else None),
            "main": main,
            "main_replies": main_replies,
            "merge_undone": _merge_undone(found) if private else None,
            **files_by_text(files),
        },
        status=status,
    )


def _citizen_step(request, found, who):
    """A follow-up or a rating from the citizen who wrote the message, each made once
    per form render (going back and submitting again adds nothing)."""
    # The rating form says so itself: with no choice made, "rating" is not sent at all.
    if request.POST.get("step") == "rating" or "rating" in request.POST:
        form, step = RatingForm(request.POST, region=found.region), "rating"
    else:
        form, step = FollowUpForm(request.POST, request.FILES), "follow_up"
    tracked = who.user is None
    # A browser never sends chosen photos again: said, not dropped unseen.
    dropped = _("所选照片未保存，请重新选择。") if step == "follow_up" and request.FILES else ""

    def again(said):
        """The form again, with what was written (a refused photo must not cost the
        citizen the text typed on a phone) and what is wrong, by its field; said at
        the top too: on a phone the form is screens below."""
        flash.error(request, said + dropped)
        return _render_thread(request, found, is_owner=not tracked, tracked=tracked, bound={step: form}, status=400)

    if not form.is_valid():
        reasons = "；".join(e.rstrip("。") for errors in form.errors.values() for e in errors) + "。"
        if step == "follow_up":
            return again(_("追问没有提交：%(reasons)s 已写的内容保留在页面下方。") % {"reasons": reasons})
        return again(_("评价没有提交：%(reasons)s 评价表在页面下方。") % {"reasons": reasons})
    data = form.cleaned_data

    def run():
        if step == "rating":
            return actions.rate(message=found, who=who, rating=data["rating"], reason=data["reason"])
        return actions.follow_up(message=found, who=who, text=data["text"], attachments=data["photos"])

    if step == "follow_up":
        thanks = _("追问已提交，办理单位将继续答复。")
    elif data["rating"] == Message.Rating.DISSATISFIED:
        thanks = _("感谢您的评价，%(office)s将回访核实。") % {"office": found.region.office_by_level}
    else:
        thanks = _("感谢您的评价。")
    try:
        done = once.submit(request.POST.get(once.FIELD), kind=step, run=run, result=lambda _item: str(found.pk))
    except actions.ActionRefused as e:
        attachment_store.discard(data.get("photos"))
        if step == "follow_up":  # the text typed comes back with the reason
            return again(e.reason)
        flash.error(request, e.reason)  # rated already, or no longer to be rated: no form
    else:
        flash.success(request, _("这份表单已经提交过，没有重复提交。") if done.replayed else thanks)
    return redirect(request.path)


def _county_for_post(request):
    """Messages go to a county's zone; with several counties the citizen picks one."""
    counties = Region.objects.filter(kind=Region.Kind.COUNTY)
    if code := request.GET.get("county"):
        return get_object_or_404(counties, code=code)
    return counties.first() if counties.count() == 1 else None


def post(request):
    region = _county_for_post(request)
    if region is None:
        counties = Region.objects.filter(kind=Region.Kind.COUNTY).order_by("name")
        return render(request, "public/choose_county.html", {"nav": "post", "counties": counties})
    initial = {"unit": request.GET.get("unit")} if request.GET.get("unit") else None
    if request.user.is_authenticated and request.user.role == Role.CITIZEN:
        initial = {**(initial or {}), "name": request.user.display_name, "phone": request.user.phone}
    limit = limits.check("post", request)
    if limit.blocked:
        return limits.refusal(request, limit)
    form = captcha.protect(
        PostForm(request.POST or None, request.FILES or None, region=region, initial=initial), limit.wants_captcha
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The same message again from this session (back from the page it landed on,
        # the browser filling in what was typed into a new form): not a second one.
        sent = once.digest(
            "post",
            region.pk,
            data["unit"] and data["unit"].pk,
            data["title"],
            data["body"],
            data["name"],
            data["phone"],
        )
        if code := once.recall(request.session, kind="post", digest=sent):
            return _posted_before(request, code)
        by = request.user if request.user.is_authenticated else None
        issued = {}

        def run():
            created = actions.submit(
                by=by,
                region=region,
                unit=data["unit"],
                category=data["category"],
                title=data["title"],
                body=data["body"],
                name=data["name"],
                phone=data["phone"],
                id_number=data["id_number"],
                email=data["email"],
                address=data["address"],
                consent_to_publish=data["consent_to_publish"],
                attachments=data["photos"],
                topic=data["topic"],
            )
            issued["passcode"] = created.issued_passcode
            return created

        try:
            done = once.submit(
                request.POST.get(once.FIELD), kind="post", run=run, result=lambda created: created.tracking_code
            )
        except actions.ActionRefused as e:
            attachment_store.discard(data["photos"])
            form.add_error(None, e.reason)
        else:
            if done.replayed:
                return _posted_before(request, done.result)
            # Shown once on the next page; only the hash is stored.
            request.session["posted"] = {"code": done.result, "passcode": issued["passcode"]}
            request.session.setdefault(TRACKED, {})[done.result] = issued["passcode"]
            once.remember(request.session, kind="post", digest=sent, result=done.result)
            request.session.modified = True
            return redirect("public:posted")
    context = {
        "nav": "post",
        "form": form,
        "region": region,
        "reviewing": CountyPrivacy.reviews(region),
        # A browser never sends chosen files again with the form shown back.
        "photos_dropped": bool(request.FILES),
        "captcha_refreshed": captcha.refreshed(form),
    }
    return render(request, "public/post.html", context)


def _posted_before(request, code):
    """The same form sent again (back, then submit): no second message. The session
    that posted it may open it again; anyone else is sent to the tracking page."""
    flash.info(request, _("这条留言已经提交过，没有重复提交。"))
    if code and code in request.session.get(TRACKED, {}):
        return redirect("public:tracked", code=code)
    return redirect("public:track")


# The passcode is shown on this page once: not kept by the browser to show again on
# back or forward (no-store; it also keeps the page out of Chromium's back cache).
@never_cache
def posted(request):
    receipt = request.session.pop("posted", None)
    if receipt is None:
        return redirect("public:track")
    found = get_object_or_404(
        Message.objects.select_related("unit", "region", "category").prefetch_related("stages"),
        tracking_code=receipt["code"],
    )
    context = {"nav": "post", "m": found, "receipt": receipt, "deadlines": _deadlines(found)}
    return render(request, "public/posted.html", context)


def _tracking_form(request, form_class):
    """The tracking pages' form, counted against their rate limit (a CAPTCHA near it),
    with the code a link brought (/t/<code>); or the refusal past the limit."""
    limit = limits.check("track", request)
    if limit.blocked:
        return None, limits.refusal(request, limit)
    form = form_class(request.POST or None, initial={"code": request.GET.get("code", "")[:12]})
    captcha.protect(form, limit.wants_captcha)
    return form, None


def track(request):
    # The link in a notice (/t/<code>) brings the code along; the passcode is still asked.
    form, refused = _tracking_form(request, TrackForm)
    if refused:
        return refused
    if request.method == "POST" and form.is_valid():
        code, passcode = form.cleaned_data["code"], form.cleaned_data["passcode"]
        found = Message.objects.filter(tracking_code=code).only("passcode_hash").first()
        # A passcode is checked against some hash whether or not the code exists, so a
        # real code takes no longer to answer than a made-up one.
        if matches_in_constant_time(passcode, found.passcode_hash if found else None):
            request.session.setdefault(TRACKED, {})[code] = passcode
            request.session.modified = True
            return redirect("public:tracked", code=code)
        # One message for both cases, so codes cannot be probed.
        form.add_error(None, _("查询码或查询密码不正确，请核对后重新输入。"))
    return render(request, "public/track.html", {"nav": "track", "form": form})


def forgot_passcode(request):
    """找回查询密码: a new passcode by SMS to the mobile the message was left with
    (passcodes.reissue). The same answer whether or not one was sent; counted
    against the tracking page's limit, which asks for a CAPTCHA near it."""
    form, refused = _tracking_form(request, ForgotPasscodeForm)
    if refused:
        return refused
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        passcodes.reissue(code=code, phone=form.cleaned_data["phone"], request=request)
        flash.info(
            request,
            _(
                "如果查询码与留言时填写的手机号相符，新的查询密码已用短信发送到该手机（原密码随之失效）；"
                "10分钟内只发送一次。收不到短信，请联系%(office)s。"
            )
            # The page's office, not the message's: the answer is the same whether or
            # not the code was found, and a county named by it would tell.
            % {"office": office_for(request)},
        )
        return redirect(f"{resolve_url('public:track')}?{urlencode({'code': code})}")
    return render(request, "public/forgot_passcode.html", {"nav": "track", "form": form})


def tracked(request, code):
    passcode = request.session.get(TRACKED, {}).get(code)
    if passcode is None:
        flash.info(request, _("请输入查询码和查询密码。"))
        return redirect("public:track")
    found = get_object_or_404(Message, tracking_code=code)
    if request.method == "POST":
        return _citizen_step(request, found, actions.Citizen(passcode=passcode))
    return _render_thread(request, found, is_owner=False, tracked=True)


@login_required
def mine(request):
    if request.user.role != Role.CITIZEN:
        return redirect("workspace:home")
    found = Message.objects.filter(citizen=request.user).select_related("unit", "category", "region")
    page = page_of(request, found.order_by("-submitted_at"), PAGE_SIZE)
    page.object_list = list(page.object_list)
    for m in page.object_list:
        m.public_title = m.title  # their own: as they wrote it
    return render(request, "public/mine.html", {"nav": "mine", "page": page})


def exposures(request):
    region = _region(request)
    found = (
        Exposure.objects.standing()
        .select_related("unit__region", "message__region", "message__citizen")
        .order_by("-published_at")
    )
    found = (
        found.filter(unit__region__parent=region)
        if region.kind == Region.Kind.CITY
        else found.filter(unit__region=region)
    )
    page = page_of(request, found, PAGE_SIZE)
    publisher = Publisher()
    page.object_list = list(page.object_list)
    linked = {e.message_id for e in page.object_list if e.message_id}
    public = set(Message.objects.published().filter(pk__in=linked).values_list("pk", flat=True))
    for e in page.object_list:
        e.message_public = e.message_id in public
        # The office writes these, but may name the citizen: masked like everything public.
        names = citizen_names(e.message) if e.message else ()
        e.public_title = publisher.mask(e.title, region_id=e.unit.region_id, names=names)
        e.public_body = publisher.mask(e.body, region_id=e.unit.region_id, names=names)
    return render(request, "public/exposures.html", {"nav": "exposures", "page": page, "region": region})


def statistics(request):
    now = timezone.now()
    region = _region(request)
    default = _this_quarter(now)
    picker = PeriodPicker(attrs={"id": "period", "aria-describedby": "period-help"})
    text = picker.value_from_datadict(request.GET, None, "period") or periods.quarter_code(default.first_day)
    try:
        period, error = periods.parse(text), ""
    except periods.BadPeriod as e:
        period, error = default, str(e)
    # One 大类 (事项分类), as the board filters by: every figure below counts only its
    # messages, read from the kept figures (they are kept by 大类).
    try:
        major, topic_name = topic_forms.major_of(region, request.GET.get("topic"))
    except topic_forms.BadTopic as e:
        major, topic_name, error = None, "", error or str(e)
    result = tally.figures(region, period, now=now, major=major)
    months = tally.monthly(region, period, now=now, major=major)
    topics = topic_figures.kept_by_major(region, period, now=now)
    context = {
        "nav": "statistics",
        "region": region,
        "regions": Region.objects.all(),
        "figures": result,
        "period_text": text,
        "period_picker": picker.render("period", text),
        "error": error,
        "trend_chart": charts.monthly_trend(months),
        "monthly_note": figures.MONTHLY_NOTE,
        "category_chart": charts.category_mix(result.by_category),
        "topics": [t for t in topics if t.code[:2] == major] if major else topics,
        "topic_choices": topic_forms.major_choices(region),
        "topic_code": f"{major}0000" if major else "",
        "topic_name": topic_name,
        # The period's bulletin as published, where there is one: the figures below are
        # counted live, and a message merged, transferred or entered since moves them
        # (a journalist's trial found the two disagreeing under the same cut-off).
        "published": PublishedBulletin.objects.filter(region=region, period_code=periods.code_of(period)).first()
        if region
        else None,
    }
    if region.kind == Region.Kind.CITY:
        context["counties"] = tally.per_county(region, period, now=now, major=major)
    else:
        # The units that received messages, most first, a page at a time.
        page, units = tally.unit_page(
            region, period, now=now, number=request.GET.get("page"), busiest=True, size=50, major=major
        )
        query = request.GET.copy()
        query.pop("page", None)
        context.update(units=units, page=page, query=query.urlencode(), rates_chart=charts.unit_rates(units))
    return render(request, "public/statistics.html", context, status=400 if error else 200)
