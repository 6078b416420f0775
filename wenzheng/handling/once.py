"""Forms that cannot double-post.

Each render of a form that creates something (posting a message, a reply, a
follow-up, a rating) carries a fresh key (`{% form_key %}`, handling/templatetags).
Submitting takes the key in the database, in the same transaction as the action: the
key is unique there, so going back and submitting the same page again, or a request
replayed by the network, finds it taken and creates nothing. The second submission
is answered as the first was (`result`, e.g. the message's tracking code).

A key is per render, so it cannot tell the same content sent from a new render:
back from the page a message lands on, Chromium fetched the form again (a new key)
and filled in what had been typed, and 提交留言 made a second message with its own
code and passcode. So the session also remembers, for a short while, a digest of
what it last sent of a kind with its result (`remember`), and the same content
again is answered as the first was (`recall`). Only the session that sent it is
told: the digest lives in that session alone.
"""

import datetime as dt
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import FormSubmission

FIELD = "form_key"
SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_key() -> str:
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Done:
    result: str
    replayed: bool  # this form was submitted before: nothing new was made


class _Taken(Exception):
    pass


def submit(key: str | None, *, kind: str, run: Callable[[], object], result: Callable[[object], str]) -> Done:
    """Run `run` once per key. A form without a (well-formed) key is simply run."""
    if not key or not SHAPE.match(key):
        return Done(result(run()), replayed=False)
    try:
        with transaction.atomic():
            try:
                # Taken first: a second submission racing this one waits here on the
                # unique index until this commits, then finds the key taken.
                with transaction.atomic():
                    taken = FormSubmission.objects.create(key=key, kind=kind, at=timezone.now())
            except IntegrityError:
                raise _Taken() from None
            done = result(run())
            FormSubmission.objects.filter(pk=taken.pk).update(result=done)
            return Done(done, replayed=False)
    except _Taken:
        earlier = FormSubmission.objects.filter(key=key).values_list("result", flat=True).first()
        return Done(earlier or "", replayed=True)


# How long the same content sent again from this session counts as sent again.
REPEAT_WINDOW = dt.timedelta(minutes=30)
SENT = "once_sent"  # the session key: {kind: {"digest", "result", "at"}}


def digest(kind: str, *parts) -> str:
    """A keyed digest of what a form sent: the session keeps this, not the text
    (a name and a phone number need not sit in the session store twice)."""
    text = json.dumps([kind, *parts], ensure_ascii=False, default=str)
    return salted_hmac("wenzheng.handling.once.sent", text).hexdigest()


def remember(session, *, kind: str, digest: str, result: str, now=None) -> None:
    """This session sent `digest` of `kind`, which made `result`: the last one only."""
    now = now or timezone.now()
    session[SENT] = {**session.get(SENT, {}), kind: {"digest": digest, "result": result, "at": now.timestamp()}}


def recall(session, *, kind: str, digest: str, now=None) -> str | None:
    """The result of the same content sent from this session within REPEAT_WINDOW, or None."""
    now = now or timezone.now()
    sent = session.get(SENT, {}).get(kind)
    if not sent or now.timestamp() - sent["at"] > REPEAT_WINDOW.total_seconds():
        return None
    return sent["result"] if sent["digest"] == digest else None
