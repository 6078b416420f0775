"""Who may do what: the role checks every action runs before it changes anything,
and the one rule for who sees a citizen's name and contact details."""

from django.db.models import BooleanField, Case, Exists, ExpressionWrapper, OuterRef, Q, Value, When

from .models import Role


class ActionRefused(Exception):
    """A step that is not allowed. `reason` is for the person (Chinese); `code` is
    stable, for the API and for tests."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def require_unit_staff(by, unit, *, leader_only=False):
    allowed = (Role.LEADER,) if leader_only else (Role.HANDLER, Role.LEADER)
    if by is None or by.role not in allowed:
        who = "本单位分管领导" if leader_only else "本单位网络评论员或分管领导"
        raise ActionRefused("forbidden_role", f"只有{who}可以办理此事项。")
    if unit is None or by.unit_id != unit.pk:
        raise ActionRefused("not_your_unit", "这条留言不由您所在的单位办理。")


def require_office(by, county, *, city_allowed=False):
    allowed = (Role.COUNTY_OFFICE, Role.CITY_OFFICE, Role.ADMIN) if city_allowed else (Role.COUNTY_OFFICE, Role.ADMIN)
    if by is None or by.role not in allowed:
        # The county's office by its level (区网络问政办), with the city's where the
        # city may act too (区、市网络问政办).
        who = county.offices_with_city if city_allowed else county.office_by_level
        raise ActionRefused("forbidden_role", f"只有{who}可以办理此事项。")
    if not by.oversees(county):
        raise ActionRefused("not_your_region", "这条记录不属于您管辖的县（区）。")


# --- personal data ------------------------------------------------------------------
#
# Who sees a citizen's name and contact details (DOMAIN.md, "Personal data";
# 个人信息保护法 art. 6, minimum necessary): the citizen, the unit now handling the
# message (its handlers and leader) and the county office over it. The administrator
# acts as every county's office. The city office, other units and the public never
# do. Every page, the API, Open311, the exports and the admin ask here.
#
# The unit now handling a message is its unit, except for a message merged (并单)
# into another: the main message's reply answers it, so the main message's unit
# handles it, and the unit it was given to before the merge no longer does (an undone
# merge gives it back: the message keeps its unit throughout).


def handled_by(unit) -> Q:
    """The messages `unit` handles now, as a filter: its own but those merged into
    another unit's message, and those merged into a message of its own.

    A merge stays within a county: whether any message was merged into one of the
    unit's is asked first, of its county's merged messages (a millisecond), and
    only then does the filter hold the second arm, which costs every statement a
    read of the unit's messages (a busy unit's inbox 1.1-1.5× slower at a city's
    million messages, BENCHMARKS.md, "A unit's access rule"). Without it the filter
    is the unit's own messages, as the search's scope tokens and the unit index
    read them best."""
    from wenzheng.handling.models import Message

    if unit is None:
        return Q(pk__in=[])
    merged = Message.State.MERGED
    own = Q(unit_id=unit.pk) & ~Q(state=merged)
    in_county = Q(region_id=unit.region_id, state=merged)
    if not Message.objects.filter(in_county, merged_into__unit_id=unit.pk).exists():
        return own
    main_here = Exists(Message.objects.filter(pk=OuterRef("merged_into_id"), unit_id=unit.pk))
    return own | (in_county & Q(main_here))


def handles(unit_id, message) -> bool:
    """`handled_by` for one message in hand."""
    from wenzheng.handling.models import Message

    if unit_id is None:
        return False
    if message.state != Message.State.MERGED:
        return message.unit_id == unit_id
    return Message.objects.filter(pk=message.merged_into_id, unit_id=unit_id).exists()


def contact_visible(user) -> Q:
    """The messages whose citizen's contact details `user` may see, as a filter."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.ADMIN or user.is_superuser:
        return Q()
    if user.role in (Role.HANDLER, Role.LEADER):
        return handled_by(user.unit)
    if user.role == Role.COUNTY_OFFICE:
        return Q(region_id=user.region_id)
    if user.role == Role.CITIZEN:
        return Q(citizen_id=user.pk)
    return Q(pk__in=[])


def contact_visible_flag(user):
    """`contact_visible` as a boolean to annotate rows with (exports, admin lists)."""
    scope = contact_visible(user)
    flag = Value(True) if scope == Q() else Case(When(scope, then=Value(True)), default=Value(False))
    return ExpressionWrapper(flag, output_field=BooleanField())


def may_see_contact(user, message) -> bool:
    """The same rule as `contact_visible`, for one message in hand."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == Role.ADMIN or user.is_superuser:
        return True
    if user.role in (Role.HANDLER, Role.LEADER):
        return handles(user.unit_id, message)
    if user.role == Role.COUNTY_OFFICE:
        return message.region_id == user.region_id
    if user.role == Role.CITIZEN:
        return message.citizen_id is not None and message.citizen_id == user.pk
    return False


def may_see_unit_contacts(user, unit) -> bool:
    """The same rule, for every message `unit` handles at once (its records read as
    written, such as the evaluation's evidence): the unit's own staff, its county
    office, the administrator."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == Role.ADMIN or user.is_superuser:
        return True
    if user.role in (Role.HANDLER, Role.LEADER):
        return unit.pk == user.unit_id
    if user.role == Role.COUNTY_OFFICE:
        return unit.region_id == user.region_id
    return False


def search_audience(user) -> str:
    """Which of a message's search documents (wenzheng.search) `user` searches the
    messages they may open by: the public its public version; staff kept from the
    citizen's details (the city office) the masked texts; everyone else who may open
    a message may also see its citizen's details, and searches the texts as written
    and the contact fields."""
    if user is None or not user.is_authenticated:
        return "public"
    if user.role == Role.CITY_OFFICE:
        return "masked"
    return "staff"


def may_see_phone(viewer, person) -> bool:
    """Whether `viewer` may see an account's phone number: their own; for the
    offices, the staff of the region they oversee (a work contact); a citizen's,
    only the administrator."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.pk == person.pk or viewer.role == Role.ADMIN or viewer.is_superuser:
        return True
    if person.role in (Role.CITIZEN, Role.ADMIN) or viewer.role not in (Role.COUNTY_OFFICE, Role.CITY_OFFICE):
        return False
    return staff_of_region(viewer).filter(pk=person.pk).exists()


def staff_of_region(viewer):
    """The accounts of the staff an office oversees: the units' staff and the
    offices of its county, or of its city and the city's counties."""
    from .models import User

    if viewer.role == Role.ADMIN or viewer.is_superuser:
        return User.objects.all()
    if viewer.role == Role.COUNTY_OFFICE:
        return User.objects.filter(Q(unit__region_id=viewer.region_id) | Q(region_id=viewer.region_id))
    if viewer.role == Role.CITY_OFFICE:
        city = viewer.region_id
        return User.objects.filter(Q(unit__region__parent_id=city) | Q(region_id=city) | Q(region__parent_id=city))
    return User.objects.none()


def region_scope(user, *paths: str) -> Q:
    """The rows an office may see in the admin, as a filter: those whose county
    (reached from the row by one of `paths`, e.g. "unit__region") is one it
    oversees. The administrator sees everything; nobody else sees anything."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.ADMIN or user.is_superuser:
        return Q()
    scope = Q(pk__in=[])
    for path in paths:
        own = f"{path}_id" if path else "pk"
        parent = f"{path}__parent_id" if path else "parent_id"
        if user.role == Role.COUNTY_OFFICE:
            scope |= Q(**{own: user.region_id})
        elif user.role == Role.CITY_OFFICE:
            # The city itself (for a row that names a region) and its counties.
            scope |= Q(**{own: user.region_id}) | Q(**{parent: user.region_id})
    return scope
