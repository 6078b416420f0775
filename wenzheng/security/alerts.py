"""The alert of a lockout: the county office over the account hears of it at once
(in the app, and by e-mail and SMS as each person chose), so a lockout never goes
unnoticed; a lockout of an account outside any county (a citizen, the administrator,
an unknown name) goes to the administrators."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from wenzheng.accounts.models import Role
from wenzheng.notifications import planning, recipients, texts
from wenzheng.notifications.models import Notice
from wenzheng.units.models import Region


def locked_out(item) -> int:
    """Notices of the lockout recorded as audit record `item`; returns how many."""
    region = item.region
    if region is not None and region.kind == Region.Kind.COUNTY:
        people = recipients.offices_of([region.pk]).get(region.pk, [])
    else:
        admins = get_user_model().objects.filter(role=Role.ADMIN)
        people = recipients._people(admins)
        region = region or Region.objects.default()
    if region is None or not people:
        return 0
    text = texts.locked_out(who=item.username or "（未知账号）", at=timezone.localtime(item.at), ip=item.ip or "")
    drafts = planning.for_people(
        people, key=f"lockout{item.seq}", kind=Notice.Kind.LOCKED_OUT, region_id=region.pk, text=text
    )
    return planning.write(drafts, at=item.at)
