"""Forms that cannot double-post.

Each render of a form that creates something (posting a message, a reply, a
follow-up, a rating) carries a fresh key (`{% form_key %}`, handling/templatetags).
Submitting takes the key in the database, in the same transaction as the action: the
key is unique there, so going back and submitting the same page again, or a request
replayed by the network, finds it taken and creates nothing. The second submission
is answered as the first was (`result`, e.g. the message's tracking code).
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

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
