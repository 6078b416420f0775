"""Print views on A4: a message with its replies and handling record (the reply letter
a unit files, and a citizen may ask for)."""

from django.shortcuts import render
from django.utils import timezone

from wenzheng.accounts.policy import may_see_contact
from wenzheng.attachments.access import files_by_text, shown_to_staff
from wenzheng.handling.thread import conversation
from wenzheng.privacy.models import AccessRecord
from wenzheng.privacy.public import mask_for_reader
from wenzheng.privacy.records import record_access

from ..access import staff_only, visible_message
from .messages import _thread, label_events


@staff_only
def message_print(request, pk):
    user = request.user
    message = _thread(visible_message(user, pk))
    events = label_events(message)
    # The same rule as the message page: contact details for those who may see them,
    # each showing recorded; the texts masked for the others.
    show_contact = may_see_contact(user, message)
    if show_contact:
        record_access(user=user, surface=AccessRecord.Surface.PAGE, message=message)
    mask_for_reader(user, [message], events=events)
    context = {
        "message": message,
        "stages": list(message.stages.all()),
        "thread": conversation(message.replies.all(), message.follow_ups.all()),
        "events": events,
        **files_by_text(shown_to_staff(user, message, message.attachments.all())),
        "show_contact": show_contact,
        "printed_at": timezone.now(),
    }
    return render(request, "workspace/message_print.html", context)
