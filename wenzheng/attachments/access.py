"""Who may open an attachment: the one rule every page and the file view ask.

- Staff who may open the message and see its citizen's details (the unit handling
  it, the county office: accounts.policy.may_see_contact), and the citizen who
  wrote it, see every file on it, except the files of a reply still waiting for its
  leader's sign-off (or returned to its author): those are the drafting unit's alone,
  its handlers' and its leader's, not the county or city office's, until published.
- Staff who may open the message but never a citizen's details (the city office)
  read its texts masked; a photo cannot be masked (an ID card, a face, a number
  plate), so they see the files the public sees, and no others.
- The public sees a file only on a message the public may read
  (Message.objects.published()), and only if the text it belongs to is public: a
  follow-up the county office has not passed hides its photos with it; a reply to a
  follow-up the public may not read is left out with its files; and the office may
  withhold any single file.
"""

from wenzheng.accounts.models import Role
from wenzheng.accounts.policy import handles, may_see_contact
from wenzheng.handling.models import Message, ReplyDraft
from wenzheng.privacy.public import PublicThread

from .models import Attachment


def shown_publicly(attachments, thread: PublicThread) -> list:
    """Of a published message's attachments, those the public may see, given the
    message's public thread (wenzheng.privacy.public.Publisher.thread)."""
    follow_ups = {f.pk for f in thread.follow_ups}
    replies = {r.pk for r in thread.replies}
    return [
        a
        for a in attachments
        if a.withheld_at is None
        and (a.follow_up_id is None or a.follow_up_id in follow_ups)
        and (a.source == Attachment.Source.CITIZEN or a.reply_id in replies)
    ]


def shown_to_writer(attachments) -> list:
    """What the citizen who wrote the message sees: all but unpublished drafts' files."""
    return [a for a in attachments if a.source == Attachment.Source.CITIZEN or a.reply_id is not None]


def drafting_unit(user, unit_id) -> bool:
    """Whether `user` is a handler or the leader of the unit that wrote a draft."""
    return user.is_authenticated and user.role in (Role.HANDLER, Role.LEADER) and user.unit_id == unit_id


def may_open(request, attachment: Attachment, *, tracked_codes=()) -> bool:
    user = request.user
    message = attachment.message
    if attachment.draft_id is not None and attachment.reply_id is None:
        # An unpublished reply's file: the drafting unit's alone, while it still
        # handles the message (not once it is reassigned or merged away).
        return drafting_unit(user, attachment.draft.unit_id) and handles(user.unit_id, message)
    writer = (user.is_authenticated and message.citizen_id == user.pk) or message.tracking_code in tracked_codes
    if writer:
        return bool(shown_to_writer([attachment]))
    if (
        user.is_authenticated
        and may_see_contact(user, message)
        and Message.objects.visible_to(user).filter(pk=message.pk).exists()
    ):
        return True
    return is_public(attachment)


def shown_to_staff(user, message, attachments) -> list:
    """Of the attachments of a message `user` may open (a staff page), those its page
    shows them: all of them to those who may see its citizen's details; to the others
    (the city office), those the public sees on it, if it is published."""
    from wenzheng.privacy.public import Publisher

    if may_see_contact(user, message):
        return list(attachments)
    published = _published(message.pk)
    return [] if published is None else shown_publicly(attachments, Publisher().thread(published))


def _published(message_id):
    """The message as the public reads it (what Publisher.thread needs read with it),
    or None if the public may not read it."""
    return (
        Message.objects.published()
        .filter(pk=message_id)
        .select_related("citizen")
        .prefetch_related("replies__unit", "follow_ups", "reviews")
        .first()
    )


def is_public(attachment: Attachment) -> bool:
    from wenzheng.privacy.public import Publisher

    if attachment.withheld_at is not None:
        return False
    message = _published(attachment.message_id)
    if message is None:
        return False
    return bool(shown_publicly([attachment], Publisher().thread(message)))


def files_by_text(files) -> dict:
    """Files grouped as a message's page shows them: the message's own, and those of
    each follow-up and each reply (by pk)."""
    by_follow_up, by_reply, own = {}, {}, []
    for a in files:
        if a.reply_id is not None:
            by_reply.setdefault(a.reply_id, []).append(a)
        elif a.follow_up_id is not None:
            by_follow_up.setdefault(a.follow_up_id, []).append(a)
        elif a.source == Attachment.Source.CITIZEN:
            own.append(a)
    return {"message_files": own, "follow_up_files": by_follow_up, "reply_files": by_reply}


def keepable(message, by=None):
    """The files of a reply returned by the leader or taken back by its writer (`by`,
    when given), not yet sent again: chosen, they go with the writer's next reply
    (保留原附件) instead of being chosen again from the writer's computer."""
    found = Attachment.objects.filter(
        message=message,
        reply__isnull=True,
        # The unit handling it now: a writer moved to the unit the message went to
        # takes nothing of the old unit's unpublished draft along.
        draft__unit=message.unit_id,
        draft__state__in=(ReplyDraft.State.RETURNED, ReplyDraft.State.WITHDRAWN),
    ).exclude(
        # A draft voided by the message's move (withdrawn by nobody) is not taken back.
        draft__state=ReplyDraft.State.WITHDRAWN,
        draft__decided_by__isnull=True,
    )
    return found.filter(draft__author=by) if by is not None else found
