"""What the notices' tests share: the clock set to a moment, the worker's passes."""

import contextlib

import time_machine

from wenzheng.notifications.models import Notice, Sweep
from wenzheng.ops import worker
from wenzheng.testing import local  # noqa: F401 (re-exported for the tests)


@contextlib.contextmanager
def at(moment):
    """The clock stopped at `moment` (the actions and the worker read it)."""
    with time_machine.travel(moment, tick=False):
        yield


def start_sweeping(moment):
    """The first look of the worker: the sweep starts from `moment`."""
    Sweep.objects.update_or_create(pk=1, defaults={"swept_until": moment})


def sweep(moment) -> int:
    """One pass of the reminders at `moment`; returns how many sweeps ran."""
    with at(moment):
        return worker.run_pass(only=["reminders"])


def send(moment=None) -> int:
    """The worker sends what is queued (at `moment`, or now)."""
    if moment is None:
        return worker.run_pass(only=["notices"])
    with at(moment):
        return worker.run_pass(only=["notices"])


def texts(user, kind=None) -> list[str]:
    notices = Notice.objects.filter(recipient=user).order_by("created_at", "pk")
    if kind is not None:
        notices = notices.filter(kind=kind)
    return list(notices.values_list("text", flat=True))
