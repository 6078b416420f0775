"""The county office's steps on personal data: reviewing what citizens write before
it is public (先审后发), erasing a citizen's personal data on request, and keeping
the county's sensitive words, published contacts and review setting.

The steps on a message are actions as in `wenzheng.handling.actions`: atomic, the
message row locked, the actor's role and county checked, the event written in the
same transaction. Their events refer to the review or erasure row and copy none of
the citizen's words, so that what a citizen wrote can still be corrected or erased
while the log verifies.
"""

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from wenzheng.accounts.models import Role, User
from wenzheng.accounts.policy import ActionRefused, require_office
from wenzheng.attachments import store as attachment_store
from wenzheng.attachments.models import Attachment
from wenzheng.duplicates.models import Flag as DuplicateFlag
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions as handling
from wenzheng.handling.models import ExtensionRequest, FollowUp, Message, Reply, ReplyDraft, Revisit
from wenzheng.notifications.models import Notice
from wenzheng.search import contacts as search_contacts
from wenzheng.supervision.models import AccountabilityReferral, Exposure, SupervisionFinding
from wenzheng.units.models import OFFICE_KIND, Region
from wenzheng.units.selectors import counties_of

from .masking import normalise_contact
from .models import CountyPrivacy, Erasure, PublicContact, Review, SensitiveWord
from .public import Publisher, citizen_names

ERASED_NAME = "（已删除）"
REASON_LIMIT = 500


def _reason(reason, what):
    return handling._require_text(reason, what, max_length=REASON_LIMIT)


def _follow_up_of(message, follow_up):
    if follow_up is None:
        return None
    found = FollowUp.objects.filter(pk=follow_up.pk, message=message).first()
    if found is None:
        raise ActionRefused("not_this_message", "该追问不属于这条留言。")
    return found


def _review(message, follow_up, *, at) -> Review:
    """The review of the message (or of one follow-up), locked; made on the spot
    when the office acts on a text that was never queued (a county that publishes
    first, and finds personal data afterwards)."""
    review = Review.objects.select_for_update().filter(message=message, follow_up=follow_up).first()
    if review is None:
        review = Review.objects.create(message=message, follow_up=follow_up, queued_at=at)
    return review


def _decide(review, *, state, by, at, title="", text="", reason=""):
    review.state, review.decided_by, review.decided_at = state, by, at
    review.public_title, review.public_text, review.reason = title, text, reason
    review.save(update_fields=["state", "decided_by", "decided_at", "public_title", "public_text", "reason"])


def _event(kind, review, *, by, at):
    handling._event(kind, at=at, by=by, message=review.message, review=review.pk, follow_up=review.follow_up_id)


@transaction.atomic
def pass_review(*, message, by, follow_up=None, at=None) -> Review:
    """审核通过: the text is public as the citizen wrote it (masked, as everything
    public is)."""
    at = handling._now(at)
    message = handling._locked(message)
    require_office(by, message.region)
    follow_up = _follow_up_of(message, follow_up)
    review = Review.objects.select_for_update().filter(message=message, follow_up=follow_up).first()
    if review is None:
        raise ActionRefused("not_in_review", "这条内容不在审核中，已按规定公开。")
    if review.state == Review.State.PASSED:
        raise ActionRefused("already_passed", "这条内容已审核通过。")
    _decide(review, state=Review.State.PASSED, by=by, at=at)
    _event(Event.Kind.REVIEW_PASSED, review, by=by, at=at)
    return review


@transaction.atomic
def publish_redacted(*, message, by, text: str, reason: str, title: str = "", follow_up=None, at=None) -> Review:
    """删节后公开: the public sees the office's version; the original is kept for
    staff and the citizen, who is told why on the tracking page."""
    at = handling._now(at)
    message = handling._locked(message)
    require_office(by, message.region)
    follow_up = _follow_up_of(message, follow_up)
    # As long as the citizen may write: a long message redacted keeps all but what is cut.
    text = handling._require_text(text, "公开内容", max_length=settings.MESSAGE_TEXT_MAX_CHARS)
    title = "" if follow_up is not None else handling._require_text(title, "公开标题", max_length=100)
    reason = _reason(reason, "删节理由")
    review = _review(message, follow_up, at=at)
    _decide(review, state=Review.State.REDACTED, by=by, at=at, title=title, text=text, reason=reason)
    _event(Event.Kind.REVIEW_REDACTED, review, by=by, at=at)
    return review


@transaction.atomic
def withhold(*, message, by, reason: str, follow_up=None, at=None) -> Review:
    """不予公开: the text stays private; its handling goes on, and the deadlines run
    as before. The citizen sees the reason on the tracking page."""
    at = handling._now(at)
    message = handling._locked(message)
    require_office(by, message.region)
    follow_up = _follow_up_of(message, follow_up)
    reason = _reason(reason, "不予公开的理由")
    review = _review(message, follow_up, at=at)
    _decide(review, state=Review.State.WITHHELD, by=by, at=at, reason=reason)
    _event(Event.Kind.REVIEW_WITHHELD, review, by=by, at=at)
    return review


# --- single photos and files ----------------------------------------------------------


def _attachment(attachment, *, by, at):
    message = handling._locked(attachment.message)
    require_office(by, message.region)
    return message, Attachment.objects.select_for_update().get(pk=attachment.pk, message=message)


@transaction.atomic
def withhold_attachment(*, attachment, by, reason: str, at=None) -> Attachment:
    """附件不予公开: one photo or file kept from the public (a face, a plate, a
    document with someone's details) while the text it came with stays public."""
    at = handling._now(at)
    message, attachment = _attachment(attachment, by=by, at=at)
    if attachment.withheld_at is not None:
        raise ActionRefused("already_withheld", "该附件已不予公开。")
    attachment.withheld_reason = handling._require_text(reason, "不予公开的理由", max_length=200)
    attachment.withheld_at, attachment.withheld_by = at, by
    attachment.save(update_fields=["withheld_at", "withheld_by", "withheld_reason"])
    handling._event(Event.Kind.ATTACHMENT_WITHHELD, at=at, by=by, message=message, attachment=attachment.pk)
    return attachment


@transaction.atomic
def release_attachment(*, attachment, by, at=None) -> Attachment:
    """附件恢复公开: public again with its text."""
    at = handling._now(at)
    message, attachment = _attachment(attachment, by=by, at=at)
    if attachment.withheld_at is None:
        raise ActionRefused("not_withheld", "该附件没有被设为不予公开。")
    attachment.withheld_at, attachment.withheld_by, attachment.withheld_reason = None, None, ""
    attachment.save(update_fields=["withheld_at", "withheld_by", "withheld_reason"])
    handling._event(Event.Kind.ATTACHMENT_RELEASED, at=at, by=by, message=message, attachment=attachment.pk)
    return attachment


# --- erasure ------------------------------------------------------------------------


def _require_eraser(by):
    if by is None or by.role not in (Role.COUNTY_OFFICE, Role.ADMIN):
        # The office of the asker's county (a unit's, or the city's one county); else
        # the kind: a city's office over several counties is a 网络问政办 too, and may not.
        counties = counties_of(by)
        who = counties[0].office_by_level if counties and len(counties) == 1 else OFFICE_KIND
        raise ActionRefused("forbidden_role", f"只有{who}或系统管理员可以删除网民个人信息。")


@transaction.atomic
def erase_citizen(*, by, reason: str, account: User | None = None, messages=(), at=None) -> Erasure:
    """删除个人信息 on a citizen's request: for an account, the account's identifying
    fields and every message it wrote; for messages left with a tracking code, those
    messages. The name, phone, ID number, e-mail and address are removed; personal
    data inside the texts (the citizen's and the units', since replies greet by
    name) is masked. What the evaluation and the statistics count (states,
    deadlines, times, units, ratings) is left exactly as it was, and so is the
    event log, which never held any of it."""
    at = handling._now(at)
    _require_eraser(by)
    reason = handling._require_text(reason, "删除依据", max_length=200)
    if account is not None:
        account = User.objects.select_for_update().get(pk=account.pk)
        if account.role != Role.CITIZEN:
            raise ActionRefused("not_a_citizen", "只能删除网民账号的个人信息；工作人员账号请由系统管理员停用。")
    wanted = {m.pk for m in messages}
    if account is not None:
        wanted |= set(Message.objects.filter(citizen=account).values_list("pk", flat=True))
    if account is None and not wanted:
        raise ActionRefused("nothing_to_erase", "请指定网民账号或留言。")
    # Locked in ascending id order, as every step that locks several messages
    # (handling.actions._locked_all): a citizen's second message is often merged into
    # their first (并单), and steps on such a pair lock both.
    locked = [handling._locked(m) for m in Message.objects.filter(pk__in=wanted).order_by("pk")]
    for message in locked:
        require_office(by, message.region)
    if account is not None and by.role != Role.ADMIN and not locked:
        raise ActionRefused("not_your_region", f"该账号没有在本{by.region.level}留言，请由系统管理员办理。")
    erasure = Erasure.objects.create(at=at, by=by, account=account, reason=reason)
    erasure.messages.set(locked)
    publisher = Publisher()
    for message in locked:
        _forget_import(message, publisher, at=at)
        _anonymise(message, publisher)
        # The citizen's photos go with the rest (the units' files on their replies stay).
        attachment_store.delete(message.attachments.filter(source=Attachment.Source.CITIZEN))
        handling._event(Event.Kind.ERASED, at=at, by=by, message=message, erasure=erasure.pk)
    if account is not None:
        _anonymise_account(account, at=at)
        if not locked:
            # No message to hang it on (only the administrator erases such an account):
            # it goes in the chain of the county the deployment serves.
            handling._event(Event.Kind.ERASED, at=at, by=by, region=Region.objects.default(), erasure=erasure.pk)
    return erasure


def _anonymise(message, publisher):
    names = citizen_names(message)

    def clean(text):
        return publisher.mask(text, region_id=message.region_id, names=names)

    message.title = clean(message.title)[:100]
    message.body = clean(message.body)
    message.closure_explanation = clean(message.closure_explanation)
    message.citizen_name = ERASED_NAME
    message.citizen_phone = message.citizen_id_number = message.citizen_email = message.citizen_address = ""
    message.save(
        update_fields=[
            "title", "body", "closure_explanation", "citizen_name", "citizen_phone", "citizen_id_number",
            "citizen_email", "citizen_address",
        ]
    )  # fmt: skip
    # Every text kept about the message that may quote the citizen: theirs (a
    # follow-up, a 不满意's reason), the units' (replies and drafts greet by name), the
    # office's (its notes, findings and notices), a file's name (张三答复函.pdf).
    for model, fields in (
        (Reply, ["text"]),
        (ReplyDraft, ["text", "note"]),
        (FollowUp, ["text"]),
        (Revisit, ["reason", "decision_note"]),
        (Review, ["public_title", "public_text", "reason"]),
        (ExtensionRequest, ["reason", "decision_note"]),
        (Exposure, ["title", "body", "withdrawn_reason"]),
        (SupervisionFinding, ["summary"]),
        (AccountabilityReferral, ["reason"]),
        (DuplicateFlag, ["note"]),
        (Notice, ["text"]),
        (Attachment, ["name"]),
    ):
        rows = list(model.objects.filter(message=message))
        for row in rows:
            for name in fields:
                setattr(row, name, clean(getattr(row, name)))
        if rows:
            model.objects.bulk_update(rows, fields)


def _forget_import(message, publisher, *, at):
    """The file the message was imported from, kept IMPORT_FILE_RETENTION_DAYS for
    the office (bulk.work), is deleted now: it holds the citizen's row whole (an
    attacker's trial found the name and phone there after the erasure). So are the
    citizen's name and numbers in that import's report. A file still being imported
    is deleted by its retention, as before."""
    from wenzheng.bulk.models import ImportedMessage, ImportJob, RowProblem

    job_id = ImportedMessage.objects.filter(message=message).values_list("job_id", flat=True).first()
    if job_id is None:
        return
    finished = [ImportJob.State.DONE, ImportJob.State.FAILED]
    ImportJob.objects.filter(pk=job_id, state__in=finished, file_deleted_at__isnull=True).update(
        content=b"", file_deleted_at=at
    )
    names = citizen_names(message)
    said = [w for w in (*names, message.citizen_phone, message.citizen_id_number) if w]
    quoting = Q()
    for word in said:
        quoting |= Q(problem__contains=word)
    rows = list(RowProblem.objects.filter(quoting, job_id=job_id)) if said else []
    for row in rows:
        row.problem = publisher.mask(row.problem, region_id=message.region_id, names=names)
        for word in said:  # a number the masker did not take as one (a phone cut short)
            row.problem = row.problem.replace(word, "*" * len(word))
    RowProblem.objects.bulk_update(rows, ["problem"])


def _anonymise_account(account, *, at):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from wenzheng.api.models import ApiToken

    old = account.username
    account.username = f"erased-{account.pk}"
    account.display_name = account.phone = account.email = account.first_name = account.last_name = ""
    account.is_active = False
    account.set_unusable_password()
    account.save()
    ApiToken.objects.filter(user=account, revoked_at__isnull=True).update(revoked_at=at)
    # The login throttle keeps the username of every attempt.
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username=old).delete()


# --- the county's lists and setting ---------------------------------------------------


@transaction.atomic
def set_review_before_publishing(*, region, by, on: bool, at=None) -> CountyPrivacy:
    at = handling._now(at)
    require_office(by, region)
    setting, _ = CountyPrivacy.objects.select_for_update().get_or_create(region=region)
    setting.review_before_publishing, setting.changed_by, setting.changed_at = on, by, at
    setting.save()
    return setting


def add_sensitive_words(*, region, by, words, at=None) -> int:
    """Add words (one per line or separated by commas); returns how many were new."""
    at = at or timezone.now()
    require_office(by, region)
    added = 0
    for word in {w.strip() for w in words if w.strip()}:
        if len(word) > 50:
            raise ActionRefused("word_too_long", f"敏感词“{word[:10]}…”超过50个字。")
        _, created = SensitiveWord.objects.get_or_create(
            region=region, word=word, defaults={"added_by": by, "added_at": at}
        )
        added += created
    return added


def remove_sensitive_word(*, word: SensitiveWord, by) -> None:
    require_office(by, word.region)
    word.delete()


# A published phone number as people write it: 0778-8212345, (0778) 821 2345, 12345.
_PHONE = re.compile(r"\+?[0-9()\- ]+")


def add_public_contact(*, region, by, value: str, label: str, for_help: bool = False, at=None) -> PublicContact:
    at = at or timezone.now()
    require_office(by, region)
    # As typed on a Chinese keyboard (０７７８－８２１２３４５): shown and dialled plain.
    value = unicodedata.normalize("NFKC", handling._require_text(value, "号码或邮箱", max_length=100)).strip()
    label = handling._require_text(label, "说明", max_length=100)
    normalised = normalise_contact(value)
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ActionRefused("bad_contact", "电子邮箱的格式不对，如 lcxzwfw@163.com。") from None
    elif not _PHONE.fullmatch(value):
        # 转8, 拨打…: the digits would run together, in the list masking compares and in
        # the tel: link the pages give.
        raise ActionRefused("bad_contact", "电话号码只能包含数字、空格、连字符和括号；分机号等请写在“说明”里。")
    elif not 5 <= len(normalised) <= 13:
        raise ActionRefused("bad_contact", "请填写5至13位的电话号码，或一个电子邮箱。")
    try:
        with transaction.atomic():
            contact = PublicContact.objects.create(
                region=region, value=value, label=label, for_help=for_help, added_by=by, added_at=at
            )
            # The public texts that hold it now show it: their search documents follow.
            search_contacts.queue(region=region, value=contact.normalised, change="added", at=at)
            return contact
    except IntegrityError:
        raise ActionRefused("already_listed", "该号码已在名单中。") from None


def set_contact_for_help(*, contact: PublicContact, by, for_help: bool) -> PublicContact:
    """Mark a published number as the office's 求助电话 (or no longer): the pages that
    tell people to call the office give it. Masking is unchanged (it stays published)."""
    require_office(by, contact.region)
    contact.for_help = for_help
    contact.save(update_fields=["for_help"])
    return contact


@transaction.atomic
def remove_public_contact(*, contact: PublicContact, by, at=None) -> None:
    require_office(by, contact.region)
    contact.delete()
    # The public texts that hold it mask it now: no search may find them by it, from
    # this commit on (wenzheng.search.contacts says how).
    search_contacts.queue(region=contact.region, value=contact.normalised, change="removed", at=at)
