"""The permission group for county and city office staff in the admin: units to
edit; rosters (filed and corrected in the units' workspace), records and the shared
reference data (calendar, deadline rules) to read. The admin classes narrow this
further: each office sees its own region's rows only, the city office only reads
(wenzheng.lib.admin.RegionScopedAdmin), and only the administrator changes what all
counties share (AdministratorEditsAdmin)."""

from django.contrib.auth.models import Group, Permission

OFFICE_GROUP = "网络问政办"
EDITABLE = {
    "units": ["unit"],
    # Each county keeps its own topic tree (事项分类).
    "topics": ["topic"],
}
# A county's own settings (the sign-off, 审核后公开); its name and code only the
# administrator changes (units.admin.RegionAdmin).
CHANGE_ONLY = {"units": ["region"]}
READ_ONLY = {
    "workdays": ["calendarday", "calendaryear"],
    # Rosters are filed and corrected in the units' workspace, each version with its event.
    "units": ["rosterfiling", "rostermember"],
    "accounts": ["user"],
    "handling": ["message", "extensionrequest", "category"],
    "eventlog": ["event"],
    "supervision": ["writtenexplanationorder", "supervisionfinding", "exposure", "accountabilityreferral"],
    "topics": ["routingsuggestion"],
}


def _codenames():
    for app, models in EDITABLE.items():
        for model in models:
            yield app, [f"{verb}_{model}" for verb in ("add", "change", "delete", "view")]
    for app, models in CHANGE_ONLY.items():
        for model in models:
            yield app, [f"change_{model}", f"view_{model}"]
    for app, models in READ_ONLY.items():
        for model in models:
            yield app, [f"view_{model}"]


def office_group() -> Group:
    group, _ = Group.objects.get_or_create(name=OFFICE_GROUP)
    permissions = []
    for app, codenames in _codenames():
        permissions += Permission.objects.filter(content_type__app_label=app, codename__in=codenames)
    group.permissions.set(permissions)
    return group


def refresh_office_group(**kwargs) -> None:
    """After migrating: the office group, where there is one, given what this version
    lets it do (post_migrate; a permission added by a new version reached only the
    offices made after it)."""
    if Group.objects.filter(name=OFFICE_GROUP).exists():
        office_group()


def make_office_staff(user) -> None:
    """Give an office user the admin: staff status and the office group."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(office_group())
