"""Every change to the calendar bumps its stamp, so each process reads it afresh
(clock.calendar); this process forgets its copy at once."""

from django.db import transaction

from . import clock
from .models import CalendarStamp


def calendar_changed(**kwargs):
    CalendarStamp.bump()
    clock.forget_calendar()
    # A rolled-back change must not leave this process with the changed copy either.
    transaction.on_commit(clock.forget_calendar)
