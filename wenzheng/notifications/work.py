"""The notices' background work: timed notices (reminders, digests, proposals) and
sending e-mail and SMS, run by `manage.py work`."""

from django.utils import timezone

from wenzheng.ops.worker import Work, register

from . import sending, timers


@register
class ReminderWork(Work):
    """Timed notices, one sweep of the window since the last."""

    name = "reminders"

    def claim(self):
        return timers.claim()

    def run(self, window) -> str:
        made = timers.sweep(window)
        start, end = timezone.localtime(window.start), timezone.localtime(window.end)
        span = f"window {start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"
        if made is None:
            return f"{span}: swept by another worker"
        return f"{span}: " + (", ".join(f"{name} {n}" for name, n in made.items() if n) or "nothing due")


@register
class NoticeWork(Work):
    """E-mail and SMS, one delivery at a time."""

    name = "notices"

    def claim(self):
        return sending.claim()

    def run(self, delivery) -> str:
        return sending.send(delivery)
