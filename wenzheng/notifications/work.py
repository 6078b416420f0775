"""The notices' background work: timed notices (reminders, digests, proposals) and
sending e-mail and SMS, run by `manage.py work`."""

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
        if made is None:
            return f"window {window.start:%Y-%m-%d %H:%M}–{window.end:%H:%M}: swept by another worker"
        counts = ", ".join(f"{name} {n}" for name, n in made.items() if n) or "nothing due"
        return f"window {window.start:%Y-%m-%d %H:%M}–{window.end:%Y-%m-%d %H:%M}: {counts}"


@register
class NoticeWork(Work):
    """E-mail and SMS, one delivery at a time."""

    name = "notices"

    def claim(self):
        return sending.claim()

    def run(self, delivery) -> str:
        return sending.send(delivery)
