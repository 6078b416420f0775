"""What a unit staff account was at a moment: kept as StaffChange rows, one each time
an account is moved to another unit, given another role, stopped or restarted, by
whatever saves it (the admin site: UserAdmin.save_model)."""

from django.db.models import Q

from .models import StaffChange, User

# The account's fields a change is about.
TRACKED = ("unit_id", "role", "is_active")


def record_change(user: User, *, by, at) -> StaffChange | None:
    """Before `user` (an existing account, changed in memory) is saved: a StaffChange
    if it moves, changes role, or stops or restarts (none otherwise)."""
    if user.pk is None:
        return None
    before = User.objects.filter(pk=user.pk).values(*TRACKED).first()
    if before is None or all(before[f] == getattr(user, f) for f in TRACKED):
        return None
    return StaffChange.objects.create(
        user=user,
        at=at,
        by=by,
        unit_before_id=before["unit_id"],
        unit_after_id=user.unit_id,
        role_before=before["role"],
        role_after=user.role,
        active_before=before["is_active"],
        active_after=user.is_active,
    )


def states_at(user_ids, at) -> dict[int, tuple]:
    """Each account's (unit_id, role, is_active) at the moment `at`: as before its first
    change after `at`, or as it is now if none came after. Two queries."""
    states = {
        pk: (unit, role, active)
        for pk, unit, role, active in User.objects.filter(pk__in=user_ids).values_list("pk", *TRACKED)
    }
    later = StaffChange.objects.filter(Q(user_id__in=user_ids), at__gt=at).order_by("user_id", "-at", "-pk")
    for user_id, unit, role, active in later.values_list("user_id", "unit_before_id", "role_before", "active_before"):
        states[user_id] = (unit, role, active)  # the earliest change after `at` comes last
    return states
