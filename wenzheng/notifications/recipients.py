"""Who hears what, and where they can be reached.

Staff are reached at the e-mail address and mobile number of their own account; a
citizen at the contact given with the message, and only for news of that message
(`citizen_contact` is the one place the notices read those fields).
"""

from typing import NamedTuple

from wenzheng.accounts.models import Role, User
from wenzheng.lib import phones

from .models import CitizenOptOut, Preference

OUTWARD = ("email", "sms")


def masked(address: str) -> str:
    """An address as the office's list of failed sends shows it: 138****0000, z***@x.cn."""
    if "@" in address:
        name, domain = address.split("@", 1)
        return f"{name[:1]}***@{domain}"
    return f"{address[:3]}****{address[-4:]}" if len(address) >= 7 else "****"


class Person(NamedTuple):
    """A staff member as the notices need them: where, and how they want to hear. (A
    tuple: a sweep makes thousands.)"""

    pk: int
    role: str
    unit_id: int | None
    region_id: int | None
    email: str
    phone: str
    wants_email: bool = True
    wants_sms: bool = True
    digest: bool = False

    @classmethod
    def of(cls, user) -> "Person":
        pref = Preference.objects.filter(user=user).first()
        return cls(
            pk=user.pk,
            role=user.role,
            unit_id=user.unit_id,
            region_id=user.region_id,
            email=user.email,
            phone=user.phone,
            wants_email=pref.email if pref else True,
            wants_sms=pref.sms if pref else True,
            digest=pref.daily_digest if pref else False,
        )

    def address(self, channel: str) -> str:
        if channel == "email":
            return self.email if self.wants_email else ""
        if channel == "sms":
            return phones.mobile(self.phone) if self.wants_sms else ""
        return ""


PERSON = (
    "pk", "role", "unit_id", "region_id", "email", "phone",
    "notice_preference__email", "notice_preference__sms", "notice_preference__daily_digest",
)  # fmt: skip


def _people(users) -> list[Person]:
    """Plain rows, not model instances: a sweep may read thousands of staff."""
    found = []
    for pk, role, unit, region, email, phone, wants_email, wants_sms, digest in users.filter(
        is_active=True
    ).values_list(*PERSON):
        found.append(
            Person(
                pk,
                role,
                unit,
                region,
                email,
                phone,
                wants_email=True if wants_email is None else wants_email,
                wants_sms=True if wants_sms is None else wants_sms,
                digest=bool(digest),
            )
        )
    return found


def staff_of_units(unit_ids, *, roles=(Role.HANDLER, Role.LEADER)) -> dict[int, list[Person]]:
    """The active handlers and leaders of each unit, in one query."""
    found: dict[int, list[Person]] = {}
    for person in _people(User.objects.filter(unit_id__in=set(unit_ids), role__in=roles).order_by("pk")):
        found.setdefault(person.unit_id, []).append(person)
    return found


def offices_of(region_ids) -> dict[int, list[Person]]:
    """The active county office staff of each county, in one query."""
    found: dict[int, list[Person]] = {}
    users = User.objects.filter(region_id__in=set(region_ids), role=Role.COUNTY_OFFICE).order_by("pk")
    for person in _people(users):
        found.setdefault(person.region_id, []).append(person)
    return found


def person(user_id) -> Person | None:
    people = _people(User.objects.filter(pk=user_id))
    return people[0] if people else None


# --- the citizen --------------------------------------------------------------------


def citizen_contact(message, channel: str) -> str:
    """Where the citizen who wrote `message` hears about it on `channel`, or "" (no such
    contact given, a landline for SMS, unsubscribed, or turned off in the account).

    The only use of a citizen's contact fields outside the handling of the message:
    to tell that citizen about that message."""
    if CitizenOptOut.objects.filter(message_id=message.pk).exists():
        return ""
    if message.citizen_id is not None:
        pref = Preference.objects.filter(user_id=message.citizen_id).first()
        if pref is not None and not pref.wants(channel):
            return ""
    if channel == "sms":
        return phones.mobile(message.citizen_phone)
    if channel == "email":
        return message.citizen_email
    return ""
