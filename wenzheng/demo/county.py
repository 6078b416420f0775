"""The demo county's fixed parts: its regions, 108 units and their people.

None of these are messages or supervision records, so they are created directly;
roster filings, which are events, go through `roster_file` on the timeline.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from wenzheng.accounts.groups import make_office_staff
from wenzheng.accounts.models import Role, User
from wenzheng.privacy.masking import normalise_contact
from wenzheng.privacy.models import PublicContact
from wenzheng.units.models import Region, Unit

from . import texts

# Every demo account shares this documented password; the demo is for trying out, never for production.
PASSWORD = "demo12345"  # noqa: S105
# Townships' staff sign in with the township's pinyin (dongmen_leader); departments
# with their number in the unit list (u012_leader).
TOWNSHIP_PREFIXES = {name: prefix for name, prefix, _ in texts.TOWNSHIPS}


class DemoError(Exception):
    """The demo cannot be built as asked (a Chinese message for the console)."""


@dataclass
class UnitStaff:
    unit: Unit
    leader: User
    handlers: list[User]


@dataclass
class County:
    city: Region
    county: Region
    staff: dict[str, UnitStaff]  # by unit name
    county_office: User
    city_office: User
    admin: User
    citizen: User

    @property
    def units(self) -> list[Unit]:
        return [s.unit for s in self.staff.values()]

    def unit(self, name: str) -> Unit:
        return self.staff[name].unit


def registration_dates(rng, names: list[str]) -> dict[str, dt.date]:
    """When each unit went online: the townships and main departments first (2012–14),
    the rest spread over the years since; the two Q1 newcomers on their set dates."""
    dates = {}
    for i, name in enumerate(names):
        if name in texts.NEW_IN_Q1:
            dates[name] = dt.date(*texts.NEW_IN_Q1[name])
            continue
        first_wave = i < 40
        start = dt.date(2012, 3, 1) if first_wave else dt.date(2014, 1, 1)
        end = dt.date(2014, 12, 31) if first_wave else dt.date(2025, 11, 30)
        dates[name] = start + dt.timedelta(days=rng.randrange((end - start).days))
    return dates


def person_name(rng) -> str:
    given = rng.choice(texts.GIVEN) + (rng.choice(texts.GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(texts.SURNAMES) + given


def phone(rng) -> str:
    return rng.choice(texts.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def build(rng) -> County:
    city, _ = Region.objects.get_or_create(code=texts.CITY[1], defaults={"name": texts.CITY[0], "kind": "city"})
    county = Region.objects.create(name=texts.COUNTY[0], code=texts.COUNTY[1], kind="county", parent=city)
    units = _create_units(rng, county)
    # One hash for every demo account: hashing hundreds of passwords one by one is slow.
    password = make_password(PASSWORD)
    logins = {}  # unit name -> (the leader's username, the handlers' usernames)
    people = []
    for i, unit in enumerate(units, start=1):
        prefix = TOWNSHIP_PREFIXES.get(unit.name, f"u{i:03d}")
        handlers = [f"{prefix}_handler{k}" for k in range(1, (3 if rng.random() < 0.2 else 2) + 1)]
        logins[unit.name] = (f"{prefix}_leader", handlers)
        people.append(_person(rng, f"{prefix}_leader", Role.LEADER, password, unit=unit))
        people += [_person(rng, username, Role.HANDLER, password, unit=unit) for username in handlers]
    people += _offices_and_others(county, city, password)
    users = _create_users(people)
    # The offices edit the calendar, deadline rules, units and rosters in the admin.
    make_office_staff(users["county"])
    make_office_staff(users["city"])
    staff = {
        unit.name: UnitStaff(
            unit=unit,
            leader=users[logins[unit.name][0]],
            handlers=[users[username] for username in logins[unit.name][1]],
        )
        for unit in units
    }
    _publish_hotlines(county, units, users["county"])
    return County(
        city=city,
        county=county,
        staff=staff,
        county_office=users["county"],
        city_office=users["city"],
        admin=users["admin"],
        citizen=users["citizen"],
    )


def _publish_hotlines(county, units, office) -> None:
    """Each unit's consultation line, which its replies give: on the county's list of
    published numbers, so the public pages show it while masking citizens' numbers."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    PublicContact.objects.bulk_create(
        PublicContact(
            region=county,
            value=(number := texts.hotline(unit.name)),
            normalised=normalise_contact(number),
            label=f"{unit.name}咨询电话",
            added_by=office,
            added_at=now,
        )
        for unit in units
    )
    # The office's own line, which the pages that tell people to call it give.
    PublicContact.objects.create(
        region=county,
        value=texts.OFFICE_PHONE,
        normalised=normalise_contact(texts.OFFICE_PHONE),
        label=county.office_name,
        for_help=True,
        added_by=office,
        added_at=now,
    )


def _create_units(rng, county) -> list[Unit]:
    """The 11 townships, then the 97 departments, in that order."""
    names = [t[0] for t in texts.TOWNSHIPS] + texts.DEPARTMENTS
    dates = registration_dates(rng, names)
    Unit.objects.bulk_create(
        [
            Unit(
                region=county,
                name=name,
                kind=Unit.Kind.TOWNSHIP if name in TOWNSHIP_PREFIXES else Unit.Kind.DEPARTMENT,
                registered_on=dates[name],
            )
            for name in names
        ]
    )
    by_name = {u.name: u for u in Unit.objects.filter(region=county)}
    return [by_name[name] for name in names]


def _offices_and_others(county, city, password) -> list[User]:
    people = [
        # Named as the pages' headers name the office (Region.office_name): the event
        # log and the 回访 decisions show this name.
        User(username="county", role=Role.COUNTY_OFFICE, region=county, display_name=county.office_name),
        User(username="city", role=Role.CITY_OFFICE, region=city, display_name=city.office_name),
        User(username="citizen", role=Role.CITIZEN, display_name="韦志明", phone="13877812345"),
        User(username="admin", role=Role.ADMIN, display_name="系统管理员", is_staff=True, is_superuser=True),
    ]
    for person in people:
        person.password = password
    return people


def _person(rng, username, role, password, *, unit) -> User:
    return User(
        username=username,
        role=role,
        unit=unit,
        display_name=person_name(rng),
        phone=phone(rng),
        password=password,
    )


def _create_users(people: list[User]) -> dict[str, User]:
    """Create them all at once. An administrator made with createsuperuser before the
    demo is kept as it is; any other name already taken means this is not a fresh
    database, and the demo will not write over someone's accounts."""
    wanted = [p.username for p in people]
    taken = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    if taken - {"admin"}:
        raise DemoError(f"用户名已被占用：{'、'.join(sorted(taken))}。演示数据需要在新的数据库中生成。")
    User.objects.bulk_create([p for p in people if p.username not in taken])
    # Read back: bulk_create does not hand back primary keys on every database.
    return {u.username: u for u in User.objects.filter(username__in=wanted)}
