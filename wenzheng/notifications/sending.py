"""Sending one delivery: claimed by one worker, sent at most once, retried with backoff.

At most once: a delivery is taken with a conditional update (queued → sending) that
only one worker can win. One whose worker died mid-send is not sent again: whether the
gateway got it cannot be known, so it is marked failed for the office to decide
(a second SMS to a citizen is worse than a missing one the office can see).
A failed send is tried again after NOTICE_RETRY_SECONDS, then four times as long
each time, until NOTICE_MAX_ATTEMPTS; then it shows as failed on the office's page.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from wenzheng.ops import queue

from . import channels, recipients
from .models import Delivery

log = logging.getLogger(__name__)
INTERRUPTED = "发送过程中断（后台任务程序被停止），无法确定是否已送达；为免重复发送，不再自动重试。"


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`th failure: 1, 4, 16, 64 minutes…"""
    return dt.timedelta(seconds=settings.NOTICE_RETRY_SECONDS * 4 ** (attempts - 1))


def give_up_interrupted(now) -> int:
    """Deliveries left "sending" by a worker that was killed."""
    stale = Q(state=Delivery.State.SENDING, heartbeat_at__lt=now - queue.stale_after())
    return Delivery.objects.filter(stale).update(state=Delivery.State.FAILED, error=INTERRUPTED)


def claim() -> Delivery | None:
    now = timezone.now()
    give_up_interrupted(now)
    due = Q(state=Delivery.State.QUEUED, next_attempt_at__lte=now)
    pk = queue.claim(Delivery, due, order_by=("next_attempt_at", "pk"), state=Delivery.State.SENDING, heartbeat_at=now)
    if pk is None:
        return None
    return Delivery.objects.select_related("notice__recipient", "notice__message", "notice__region").get(pk=pk)


def send(delivery: Delivery) -> str:
    """Send a claimed delivery and record how it went; returns a line for the log."""
    mine = Delivery.objects.filter(pk=delivery.pk)
    notice, channel = delivery.notice, channels.get(delivery.channel)
    attempts = delivery.attempts + 1
    address = channel.address(notice)
    if not address:
        mine.update(
            state=Delivery.State.SKIPPED, attempts=attempts, error="接收人已退订、关闭了该渠道或没有可用的地址。"
        )
        return f"{delivery}: skipped (no address, turned off or unsubscribed)"
    try:
        reference = channel.send(notice, address)
    except channels.SendFailed as e:
        return _failed(mine, delivery, attempts, e.reason, permanent=e.permanent)
    except Exception:
        log.exception("sending %s failed", delivery)
        return _failed(mine, delivery, attempts, "发送时发生内部错误，已记录日志。", permanent=False)
    mine.update(
        state=Delivery.State.SENT, attempts=attempts, sent_at=timezone.now(), reference=reference[:100], error=""
    )
    return f"{delivery.channel} to {recipients.masked(address)}: sent ({notice.kind})"


def _failed(mine, delivery, attempts, reason, *, permanent) -> str:
    if permanent or attempts >= settings.NOTICE_MAX_ATTEMPTS:
        mine.update(state=Delivery.State.FAILED, attempts=attempts, error=reason)
        return f"{delivery}: failed for good after {attempts} attempt(s): {reason}"
    mine.update(
        state=Delivery.State.QUEUED,
        attempts=attempts,
        error=reason,
        next_attempt_at=timezone.now() + backoff(attempts),
    )
    return f"{delivery}: attempt {attempts} failed, retrying later: {reason}"


def retry(delivery: Delivery, *, at=None) -> bool:
    """The office sends a failed delivery again (one more round of attempts)."""
    at = at or timezone.now()
    changed = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.FAILED).update(
        state=Delivery.State.QUEUED, attempts=0, next_attempt_at=at, error=""
    )
    return changed == 1
