from django.contrib import admin
from django.contrib.auth.models import Permission

from wenzheng.accounts.models import Role
from wenzheng.accounts.policy import region_scope


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only the action functions may write (messages, events,
    supervision records): the admin shows them and never edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RegionScopedAdmin(admin.ModelAdmin):
    """Office staff in the admin see only the rows of the counties they oversee
    (found through `region_paths`), and the city office only reads. Whether the
    county office may change them is `county_may_change` (and its permissions)."""

    region_paths: tuple[str, ...] = ("region",)
    county_may_change = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(region_scope(request.user, *self.region_paths))

    def _may_change(self, request, obj=None):
        user = request.user
        if user.is_superuser or user.role == Role.ADMIN:
            return True
        if not self.county_may_change or user.role != Role.COUNTY_OFFICE:
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request, *args, **kwargs):
        return self._may_change(request) and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return self._may_change(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_change(request, obj) and super().has_delete_permission(request, obj)


class CitizensWordsAdmin(admin.ModelAdmin):
    """Records that carry a citizen's words or account as written: an event's note
    and actor, an extension's reason, a supervision record's reasons, each row's
    message named by its title. The admin shows and searches them as stored, so only
    those who may read a citizen's details in the rows they are shown open them:
    the county office (its own county's, RegionScopedAdmin) and the administrator.
    The city office never sees a citizen's details (DOMAIN.md, "Personal data"): it
    reads these records masked, in its workspace."""

    def has_view_permission(self, request, obj=None):
        return reads_as_written(request.user) and super().has_view_permission(request, obj)


def reads_as_written(user) -> bool:
    """Whether `user` may read the admin's rows of citizens' words as stored (those
    of the counties it oversees): the county office and the administrator."""
    return user.is_superuser or user.role in (Role.ADMIN, Role.COUNTY_OFFICE)


class AdministratorEditsAdmin(admin.ModelAdmin):
    """Reference data shared by every county (the calendar, the categories and
    their deadline rules): offices read it, only the administrator changes it."""

    def _administrator(self, request):
        return request.user.is_superuser or request.user.role == Role.ADMIN

    def has_add_permission(self, request, *args, **kwargs):
        return self._administrator(request) and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return self._administrator(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._administrator(request) and super().has_delete_permission(request, obj)


# Django names the permissions it makes "Can add 用户" when the tables are created,
# in English whatever the language (the names are stored, not translated).
PERMISSION_VERBS = {"add": "增加", "change": "修改", "delete": "删除", "view": "查看"}


def permission_label(permission: Permission) -> str:
    """A permission as the administrator reads it: 账号 | 用户 | 修改用户."""
    verb = PERMISSION_VERBS.get(permission.codename.split("_", 1)[0])
    model = permission.content_type.model_class()
    if verb is None or model is None or not permission.name.startswith("Can "):
        return str(permission)
    return f"{permission.content_type} | {verb}{model._meta.verbose_name}"


class PermissionsInChinese(admin.ModelAdmin):
    """For the admins that list permissions to choose from (users, groups)."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Permission:
            field.label_from_instance = permission_label
        return field
