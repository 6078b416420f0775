"""Recording each time someone sees or takes a citizen's contact details."""

from django.utils import timezone

from wenzheng.accounts.models import Role

from .models import AccessRecord


def record_access(
    *, user, surface, message=None, citizen=None, region=None, region_id=None, rows=1, detail="", at=None
):
    """One opening of contact details: on a message (its county is taken from it),
    of a citizen's account, or an export of `rows` messages in `region`."""
    if region_id is None:
        region_id = region.pk if region is not None else (message.region_id if message is not None else None)
    return AccessRecord.objects.create(
        at=at or timezone.now(),
        user=user if user is not None and user.is_authenticated else None,
        role=user.role if user is not None and user.is_authenticated else Role.ADMIN,
        region_id=region_id,
        message=message,
        citizen=citizen if citizen is not None else (message.citizen if message is not None else None),
        surface=surface,
        rows=rows,
        detail=detail[:300],
    )
