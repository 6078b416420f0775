"""The public 网络问政 zone: for citizens on phones, the press and the public.

Nothing here shows a citizen's name, phone, ID number, e-mail or address; a
message's text only with the citizen's consent, after the county office's review
where it reviews first (Message.objects.published()), and then as its public
version with personal data masked (wenzheng.privacy.public). The citizen who wrote
it sees it as written, with what the review decided and why.
"""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from wenzheng.accounts.models import Role
from wenzheng.handling import actions, once
from wenzheng.handling.models import Message, Reply
from wenzheng.handling.passcodes import matches
from wenzheng.handling.thread import conversation
from wenzheng.notifications.models import CitizenOptOut
from wenzheng.privacy.models import CountyPrivacy
from wenzheng.privacy.public import PublicFollowUp, PublicReply, PublicThread, Publisher, citizen_names
from wenzheng.reports import charts, figures, periods
from wenzheng.supervision.models import Exposure
from wenzheng.topics import figures as topic_figures
from wenzheng.units.models import Region

from .forms import BoardFilterForm, FollowUpForm, PostForm, RatingForm, TrackForm

PAGE_SIZE = 20
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


def _public_messages(region):
    messages = Message.objects.published().select_related("unit", "category", "region", "citizen")
    messages = messages.prefetch_related("reviews")
    if region.kind == Region.Kind.CITY:
        return messages.filter(region__parent=region)
    return messages.filter(region=region)


def home(request):
    now = timezone.now()
    region = _region(request)
    quarter = _this_quarter(now)
    units = figures.per_unit(region, quarter, now=now)
    latest = _with_public_titles(_public_messages(region).order_by("-submitted_at")[:8])
    return render(
        request,
        "public/home.html",
        {
            "nav": "home",
            "region": region,
            "figures": figures.compute(region, quarter, now=now),
            "townships": [u for u in units if u.unit.kind == "township"],
            "departments": [u for u in units if u.unit.kind == "department"],
            "latest": latest,
        },
    )


def board(request):
    region = _region(request)
    form = BoardFilterForm(request.GET or None, region=region)
    found = _public_messages(region).order_by("-submitted_at")
    if form.is_valid():
        found = form.apply(found)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_public_titles(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"nav": "board", "region": region, "form": form, "page": page, "query": query.urlencode()}
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
        .select_related("unit", "category", "region", "citizen")
        .prefetch_related(
            Prefetch("replies", queryset=Reply.objects.select_related("unit")),
            "follow_ups",
            "stages",
            "reviews",
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


def _review_notices(m) -> tuple:
    """What the county office's review decided, for the citizen: about the message,
    and about each follow-up (by its pk)."""
    reviews = list(m.reviews.all())
    own = next((r for r in reviews if r.follow_up_id is None), None)
    return own, {r.follow_up_id: r for r in reviews if r.follow_up_id}


def _responded_at(message):
    stages = [s for s in message.stages.all() if s.kind == "response" and s.outcome in ("on_time", "late")]
    return stages[-1].completed_at if stages else None


def message(request, region, serial):
    try:
        year, number = (int(part) for part in serial.split("-"))
    except ValueError:
        raise Http404(_("留言编号格式不对")) from None
    found = get_object_or_404(Message.objects.select_related("region"), region__code=region, year=year, number=number)
    is_owner = request.user.is_authenticated and found.citizen_id == request.user.pk
    if not is_owner and not Message.objects.published().filter(pk=found.pk).exists():
        raise Http404(_("该留言未公开"))
    if is_owner and request.method == "POST":
        return _citizen_step(request, found, actions.Citizen(user=request.user))
    return _render_thread(request, found, is_owner=is_owner)


def _render_thread(request, found, *, is_owner, tracked=False, bound=None, status=200):
    found = _thread(found)
    private = is_owner or tracked
    can_act = private and found.state in Message.State.answered()
    can_rate = can_act and not found.rating and found.state != "closure_pending"
    bound = bound or {}
    review, follow_up_reviews = _review_notices(found) if private else (None, {})
    # Its writer reads the message as written; everyone else its public version.
    thread = _as_written(found) if private else Publisher().thread(found)
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
            "private": private,
            "opted_out": private and CitizenOptOut.objects.filter(message=found).exists(),
            "follow_up_form": bound.get("follow_up") or (FollowUpForm() if can_act else None),
            "rating_form": bound.get("rating") or (RatingForm() if can_rate else None),
        },
        status=status,
    )


def _citizen_step(request, found, who):
    """A follow-up or a rating from the citizen who wrote the message, each made once
    per form render (going back and submitting again adds nothing)."""
    if "rating" in request.POST:
        form, step = RatingForm(request.POST), "rating"
    else:
        form, step = FollowUpForm(request.POST), "follow_up"
    if not form.is_valid():
        if step == "rating" and "reason" in form.errors and "rating" not in form.errors:
            # The reason is missing: show the form again with what was chosen.
            tracked = who.user is None
            return _render_thread(
                request, found, is_owner=not tracked, tracked=tracked, bound={"rating": form}, status=400
            )
        flash.error(request, _("请填写追问内容。") if step == "follow_up" else _("请选择一项评价。"))
        return redirect(request.path)
    data = form.cleaned_data

    def run():
        if step == "rating":
            return actions.rate(message=found, who=who, rating=data["rating"], reason=data["reason"])
        return actions.follow_up(message=found, who=who, text=data["text"])

    if step == "follow_up":
        thanks = _("追问已提交，办理单位将继续答复。")
    elif data["rating"] == Message.Rating.DISSATISFIED:
        thanks = _("感谢您的评价，县网络问政办将回访核实。")
    else:
        thanks = _("感谢您的评价。")
    try:
        done = once.submit(request.POST.get(once.FIELD), kind=step, run=run, result=lambda _item: str(found.pk))
    except actions.ActionRefused as e:
        flash.error(request, e.reason)
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
    form = PostForm(request.POST or None, region=region, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
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
                topic=data["topic"],
            )
            issued["passcode"] = created.issued_passcode
            return created

        try:
            done = once.submit(
                request.POST.get(once.FIELD), kind="post", run=run, result=lambda created: created.tracking_code
            )
        except actions.ActionRefused as e:
            form.add_error(None, e.reason)
        else:
            if done.replayed:
                return _posted_before(request, done.result)
            # Shown once on the next page; only the hash is stored.
            request.session["posted"] = {"code": done.result, "passcode": issued["passcode"]}
            request.session.setdefault(TRACKED, {})[done.result] = issued["passcode"]
            request.session.modified = True
            return redirect("public:posted")
    context = {"nav": "post", "form": form, "region": region, "reviewing": CountyPrivacy.reviews(region)}
    return render(request, "public/post.html", context)


def _posted_before(request, code):
    """The same form sent again (back, then submit): no second message. The session
    that posted it may open it again; anyone else is sent to the tracking page."""
    flash.info(request, _("这条留言已经提交过，没有重复提交。"))
    if code and code in request.session.get(TRACKED, {}):
        return redirect("public:tracked", code=code)
    return redirect("public:track")


def posted(request):
    receipt = request.session.pop("posted", None)
    if receipt is None:
        return redirect("public:track")
    found = get_object_or_404(Message.objects.select_related("unit", "region"), tracking_code=receipt["code"])
    return render(request, "public/posted.html", {"nav": "post", "m": found, "receipt": receipt})


def track(request):
    # The link in a notice (/t/<code>) brings the code along; the passcode is still asked.
    form = TrackForm(request.POST or None, initial={"code": request.GET.get("code", "")[:12]})
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        passcode = form.cleaned_data["passcode"].strip().upper()
        found = Message.objects.filter(tracking_code=code).only("passcode_hash").first()
        if found is not None and matches(passcode, found.passcode_hash):
            request.session.setdefault(TRACKED, {})[code] = passcode
            request.session.modified = True
            return redirect("public:tracked", code=code)
        # One message for both cases, so codes cannot be probed.
        form.add_error(None, _("查询码或查询密码不正确，请核对后重新输入。"))
    return render(request, "public/track.html", {"nav": "track", "form": form})


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
    page = Paginator(found.order_by("-submitted_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for m in page.object_list:
        m.public_title = m.title  # their own: as they wrote it
    return render(request, "public/mine.html", {"nav": "mine", "page": page})


def exposures(request):
    region = _region(request)
    found = Exposure.objects.select_related("unit", "message__region", "message__citizen").order_by("-published_at")
    found = (
        found.filter(unit__region__parent=region)
        if region.kind == Region.Kind.CITY
        else found.filter(unit__region=region)
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
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
    text = request.GET.get("period") or periods.quarter_code(default.first_day)
    try:
        period, error = periods.parse(text), ""
    except periods.BadPeriod as e:
        period, error = default, str(e)
    result = figures.compute(region, period, now=now)
    units = sorted(
        (u for u in figures.per_unit(region, period, now=now) if u.received), key=lambda u: (-u.received, u.unit.name)
    )
    months = figures.monthly(region, period, now=now)
    context = {
        "nav": "statistics",
        "region": region,
        "regions": Region.objects.all(),
        "figures": result,
        "units": units,
        "period_text": text,
        "error": error,
        "rates_chart": charts.unit_rates(units),
        "trend_chart": charts.monthly_trend(months),
        "category_chart": charts.category_mix(result.by_category),
        "topics": topic_figures.by_major(region, period, now=now),
    }
    return render(request, "public/statistics.html", context, status=400 if error else 200)
