"""The county office's pages for personal data (个人信息保护): the review queue
(先审后发) and the review of one text, the county's setting, sensitive words and
published contacts, the record of access to contact details, and erasure."""

from django.contrib import messages as flash
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenzheng.accounts.models import Role, User
from wenzheng.accounts.policy import ActionRefused
from wenzheng.attachments.models import Attachment
from wenzheng.eventlog.models import Event
from wenzheng.handling.models import FollowUp, Message
from wenzheng.lib.paging import page_of
from wenzheng.privacy import actions, sensitive
from wenzheng.privacy.forms import (
    AccessFilterForm,
    ContactForm,
    ErasureForm,
    RedactForm,
    ReviewSettingForm,
    WithholdForm,
    WordsForm,
)
from wenzheng.privacy.models import AccessRecord, CountyPrivacy, Erasure, PublicContact, Review, SensitiveWord
from wenzheng.privacy.public import Publisher, citizen_names

from ..access import COUNTY_ROLES, county_for, county_staff_only, roles_only, visible_message
from .common import errors_text, page

QUEUE_PAGE_SIZE = 30
RECORDS_PAGE_SIZE = 50
REVIEW_EVENTS = (Event.Kind.REVIEW_PASSED, Event.Kind.REVIEW_REDACTED, Event.Kind.REVIEW_WITHHELD)


def _marks(text, *, words, masker, names):
    """Sensitive words and personal data found in `text`, as highlight marks."""
    found = [(h.start, h.end, "hit-word") for h in words.find(text)]
    found += [(s.start, s.end, "hit-personal") for s in masker.spans(text, names=names)]
    return found


# --- the queue ------------------------------------------------------------------------


@county_staff_only
def reviews(request, code):
    """What waits for review, oldest first, with what each text holds."""
    county = county_for(request.user, code)
    queue = Review.objects.queue(county).select_related("message__category", "message__unit", "message__citizen")
    found = page_of(request, queue.select_related("follow_up"), QUEUE_PAGE_SIZE)
    words, publisher = sensitive.for_region(county), Publisher()
    masker = publisher.masker(county.pk)
    photos = _photo_counts(found.object_list)
    for review in found.object_list:
        m = review.message
        review.photos = photos.get((m.pk, review.follow_up_id), 0)
        text = review.follow_up.text if review.follow_up_id else f"{m.title}\n{m.body}"
        review.words = sorted({h.word for h in words.find(text)})
        review.personal = len(masker.spans(text, names=citizen_names(m)))
        review.excerpt = (review.follow_up.text if review.follow_up_id else m.body)[:120]
    context = {
        "section": "reviews",
        "county": county,
        "page": found,
        "reviewing": CountyPrivacy.reviews(county),
    }
    return page(request, "workspace/county/reviews.html", context)


def _photo_counts(queued) -> dict[tuple[int, int | None], int]:
    """How many photos each queued text carries, none withheld: (message, follow-up
    or None) → count. They go public with the text."""
    if not queued:
        return {}
    counted = (
        Attachment.objects.filter(
            message__in=[r.message_id for r in queued], source=Attachment.Source.CITIZEN, withheld_at=None
        )
        .values_list("message_id", "follow_up_id")
        .annotate(n=Count("pk"))
    )
    return {(m, f): n for m, f, n in counted}


# --- one text ------------------------------------------------------------------------


def _reviewed(request, pk, follow_up):
    message = visible_message(request.user, pk)
    if request.user.role not in COUNTY_ROLES:
        raise Http404(_("只有%(office)s审核公开内容") % {"office": message.region.office_by_level})
    item = None
    if follow_up is not None:
        item = get_object_or_404(FollowUp, pk=follow_up, message=message)
    return message, item


@roles_only(*COUNTY_ROLES)
def review(request, pk, follow_up=None):
    """审核 one text (the message, or one follow-up): highlighted, with the public
    version beside it, and the three decisions."""
    message, item = _reviewed(request, pk, follow_up)
    current = Review.objects.filter(message=message, follow_up=item).select_related("decided_by").first()
    forms = {"redact": None, "withhold": None}
    if request.method == "POST":
        decided = _decide(request, message, item, forms)
        if decided:
            return redirect(_next_in_queue(message.region))
    return _render_review(request, message, item, current, forms, status=400 if request.method == "POST" else 200)


def _when_public(message) -> str:
    """When a text passed the review reaches the board: a message is public once a
    unit has answered it ("内容将公开" was read as "now": a newcomer found it 404)."""
    if not message.consent_to_publish:
        return _("网民选择不公开，仅办理单位可见")
    if Message.objects.published().filter(pk=message.pk).exists():
        return _("已公开")
    return _("办理单位答复后公开")


def _decide(request, message, item, forms) -> bool:
    """The decision posted, taken; the next page opens the queue's next text, so each
    outcome names the text it was about."""
    decision = request.POST.get("decision")
    if item is None:
        what = _("留言 %(serial)s") % {"serial": message.serial}
    else:
        what = _("%(serial)s 的追问") % {"serial": message.serial}
    try:
        if decision == "pass":
            actions.pass_review(message=message, by=request.user, follow_up=item)
            flash.success(
                request,
                _("%(what)s 已审核通过，%(when)s（个人信息自动遮盖）。")
                % {"what": what, "when": _when_public(message)},
            )
            return True
        if decision == "redact":
            form = forms["redact"] = RedactForm(request.POST, with_title=item is None, prefix="redact")
            if form.is_valid():
                data = form.cleaned_data
                actions.publish_redacted(
                    message=message,
                    by=request.user,
                    follow_up=item,
                    title=data.get("title", ""),
                    text=data["text"],
                    reason=data["reason"],
                )
                flash.success(
                    request,
                    _("%(what)s 已按删节后的版本审核通过，%(when)s；原文保留，网民可看到理由。")
                    % {"what": what, "when": _when_public(message)},
                )
                return True
            flash.error(request, errors_text(form))
            return False
        if decision == "withhold":
            form = forms["withhold"] = WithholdForm(request.POST, prefix="withhold")
            if form.is_valid():
                actions.withhold(message=message, by=request.user, follow_up=item, reason=form.cleaned_data["reason"])
                flash.success(request, _("%(what)s 已决定不予公开，留言照常办理，网民可看到理由。") % {"what": what})
                return True
            flash.error(request, errors_text(form))
            return False
    except ActionRefused as e:
        flash.error(request, e.reason)
        return False
    flash.error(request, _("请选择一项审核决定。"))
    return False


def _next_in_queue(county):
    """The next text waiting, so the office works down the queue; the queue when empty."""
    following = Review.objects.queue(county).first()
    if following is None:
        return reverse("workspace:reviews", kwargs={"code": county.code})
    if following.follow_up_id:
        return reverse(
            "workspace:review-follow-up", kwargs={"pk": following.message_id, "follow_up": following.follow_up_id}
        )
    return reverse("workspace:review", kwargs={"pk": following.message_id})


def _render_review(request, message, item, current, forms, *, status=200):
    county = message.region
    publisher = Publisher()
    masker, words = publisher.masker(county.pk), sensitive.for_region(county)
    names = citizen_names(message)
    texts = [(_("追问"), item.text)] if item else [(_("标题"), message.title), (_("内容"), message.body)]
    shown = [
        {
            "label": label,
            "marked": sensitive.highlight(text, _marks(text, words=words, masker=masker, names=names)),
            "public": publisher.mask(text, region_id=county.pk, names=names),
            "words": sorted({h.word for h in words.find(text)}),
        }
        for label, text in texts
    ]
    if forms["redact"] is None:
        initial = {"text": shown[-1]["public"], "title": shown[0]["public"] if item is None else ""}
        if current is not None and current.state == Review.State.REDACTED:
            initial = {"text": current.public_text, "title": current.public_title, "reason": current.reason}
        forms["redact"] = RedactForm(initial=initial, with_title=item is None, prefix="redact")
    forms["withhold"] = forms["withhold"] or WithholdForm(prefix="withhold")
    history = message.events.filter(kind__in=REVIEW_EVENTS).select_related("actor").order_by("seq")
    context = {
        "section": "reviews",
        "county": county,
        "message": message,
        "item": item,
        "current": current,
        "texts": shown,
        "forms": forms,
        "history": [e for e in history if e.data.get("follow_up") == (item.pk if item else None)],
        "published": Message.objects.published().filter(pk=message.pk).exists(),
        # The photos that go public with the text, each of which may be kept back.
        "photos": list(
            message.attachments.filter(source=Attachment.Source.CITIZEN, follow_up=item).order_by("position", "pk")
        ),
        "here": request.path,
    }
    return page(request, "workspace/county/review.html", context, status=status)


# --- the county's setting and lists ---------------------------------------------------


@county_staff_only
def privacy_settings(request, code):
    county = county_for(request.user, code)
    setting = CountyPrivacy.objects.filter(region=county).first()
    forms = {
        "setting": ReviewSettingForm(
            initial={"review_before_publishing": bool(setting and setting.review_before_publishing)}
        ),
        "words": WordsForm(prefix="words"),
        "contact": ContactForm(prefix="contact"),
    }
    if request.method == "POST":
        done = _change_settings(request, county, forms)
        if done:
            return redirect("workspace:privacy", code=county.code)
    context = {
        "section": "privacy",
        "county": county,
        "setting": setting,
        "forms": forms,
        "words": SensitiveWord.objects.filter(region=county),
        "contacts": PublicContact.objects.filter(region=county),
        "pending": Review.objects.queue(county).count(),
        "defaults": sensitive.DEFAULT_WORDS,
    }
    return page(request, "workspace/county/privacy.html", context, status=400 if request.method == "POST" else 200)


def _change_settings(request, county, forms) -> bool:
    what = request.POST.get("what")
    try:
        if what == "setting":
            form = forms["setting"] = ReviewSettingForm(request.POST)
            form.is_valid()
            on = form.cleaned_data.get("review_before_publishing", False)
            actions.set_review_before_publishing(region=county, by=request.user, on=on)
            flash.success(request, _("已开启先审后发。") if on else _("已关闭先审后发，新的留言和追问将直接公开。"))
            return True
        if what in ("words", "defaults"):
            form = forms["words"] = WordsForm(request.POST, prefix="words")
            if what == "defaults":
                words = sensitive.DEFAULT_WORDS
            elif form.is_valid():
                words = form.cleaned_data["words"]
            else:
                return False
            added = actions.add_sensitive_words(region=county, by=request.user, words=words)
            flash.success(request, _("已添加%(n)s个敏感词。") % {"n": added})
            return True
        if what == "contact":
            form = forms["contact"] = ContactForm(request.POST, prefix="contact")
            if not form.is_valid():
                return False
            actions.add_public_contact(region=county, by=request.user, **form.cleaned_data)
            flash.success(request, _("已添加，该号码在公开内容中不再遮盖。"))
            return True
    except ActionRefused as e:
        flash.error(request, e.reason)
        return False
    raise Http404(_("没有这项设置"))


@county_staff_only
@require_POST
def remove_word(request, code, pk):
    county = county_for(request.user, code)
    word = get_object_or_404(SensitiveWord, pk=pk, region=county)
    actions.remove_sensitive_word(word=word, by=request.user)
    flash.success(request, _("已删除敏感词“%(word)s”。") % {"word": word.word})
    return redirect("workspace:privacy", code=county.code)


@county_staff_only
@require_POST
def remove_contact(request, code, pk):
    county = county_for(request.user, code)
    contact = get_object_or_404(PublicContact, pk=pk, region=county)
    actions.remove_public_contact(contact=contact, by=request.user)
    flash.success(request, _("已从名单中删除，该号码在公开内容中将被遮盖。"))
    return redirect("workspace:privacy", code=county.code)


@county_staff_only
@require_POST
def contact_for_help(request, code, pk):
    """Mark a published number as the office's 求助电话, or no longer."""
    county = county_for(request.user, code)
    contact = get_object_or_404(PublicContact, pk=pk, region=county)
    for_help = request.POST.get("for_help") == "1"
    actions.set_contact_for_help(contact=contact, by=request.user, for_help=for_help)
    if for_help:
        flash.success(request, _("“%(value)s”已设为求助电话。") % {"value": contact.value})
    else:
        flash.success(request, _("“%(value)s”不再作为求助电话。") % {"value": contact.value})
    return redirect("workspace:privacy", code=county.code)


# --- who saw what -------------------------------------------------------------------------


@county_staff_only
def access_records(request, code):
    """Each opening of a citizen's contact details in the county: who, when, which
    message, through what."""
    county = county_for(request.user, code)
    form = AccessFilterForm(request.GET or None)
    records = AccessRecord.objects.filter(region=county).select_related("user", "message", "citizen")
    if form.is_valid():
        records = form.apply(records)
    found = page_of(request, records.order_by("-at", "-pk"), RECORDS_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"section": "privacy", "county": county, "form": form, "page": found, "query": query.urlencode()}
    return page(request, "workspace/county/access_records.html", context, status=400 if form.errors else 200)


# --- erasure --------------------------------------------------------------------------------


@county_staff_only
def erase(request, code):
    """删除个人信息 on a citizen's request: find the account or the messages, look at
    what will go, confirm."""
    county = county_for(request.user, code)
    form = ErasureForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        preview = _erasure_preview(request.user, county, form)
        if preview is not None and form.cleaned_data["confirm"]:
            try:
                erasure = actions.erase_citizen(
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    account=preview["account"],
                    messages=preview["messages"],
                )
            except ActionRefused as e:
                flash.error(request, e.reason)
            else:
                flash.success(request, _("已删除个人信息，涉及留言%(n)s条。") % {"n": erasure.messages.count()})
                return redirect("workspace:erase", code=county.code)
    done = (
        Erasure.objects.filter(Q(messages__region=county) | Q(by__region=county))
        .select_related("by", "account")
        .distinct()[:20]
    )
    context = {"section": "privacy", "county": county, "form": form, "preview": preview, "done": done}
    return page(request, "workspace/county/erase.html", context, status=400 if request.method == "POST" else 200)


def _erasure_preview(user, county, form):
    data = form.cleaned_data
    account, found = None, []
    if data["account"]:
        account = User.objects.filter(username=data["account"].strip(), role=Role.CITIZEN).first()
        if account is None:
            form.add_error("account", _("没有这个网民账号。"))
            return None
        found = list(Message.objects.filter(citizen=account).select_related("region"))
    visible = Message.objects.visible_to(user).filter(region=county)
    if data["tracking_code"]:
        message = visible.filter(tracking_code=data["tracking_code"].strip().upper()).first()
        if message is None:
            form.add_error("tracking_code", _("本%(level)s没有这个查询码的留言。") % {"level": county.level})
            return None
        found.append(message)
    if data["serial"]:
        year, number = (int(p) for p in data["serial"].split("-"))
        message = visible.filter(year=year, number=number).first()
        if message is None:
            form.add_error("serial", _("本%(level)s没有这个编号的留言。") % {"level": county.level})
            return None
        found.append(message)
    found = list({m.pk: m for m in found}.values())
    # Another county's messages are that county's to read: counted, not listed.
    away = [m for m in found if m.region_id != county.pk]
    return {
        "account": account,
        "messages": found,
        "here": [m for m in found if m.region_id == county.pk],
        "elsewhere": sorted({m.region.name for m in away}),
        "elsewhere_count": len(away),
    }
