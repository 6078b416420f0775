from django.contrib import admin
from django.contrib import messages as flash
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from wenzheng.lib.admin import PermissionsInChinese, ReadOnlyAdmin
from wenzheng.lib.http import row_id

from . import staff
from .forms import ValidatedInFirstBox
from .groups import make_office_staff
from .models import Role, StaffChange, User
from .policy import may_see_phone, staff_of_region


class PasswordChangeForm(ValidatedInFirstBox, AdminPasswordChangeForm):
    # Django 5.2's warning here has no Simplified Chinese translation.
    usable_password_help_text = AdminPasswordChangeForm.usable_password_help_text.replace(
        "If disabled, the current password for this user will be lost.", "禁用后，该用户现有的密码将失效。"
    )

    def save(self, commit=True):
        # A password set here is set by someone other than its owner (one's own is
        # changed on the site's 修改密码 page): temporary, its owner changes it first.
        self.user.password_temporary = True
        user = super().save(commit=commit)
        if commit:
            staff.revoke_tokens(self.user)
        return user


@admin.register(User)
class UserAdmin(PermissionsInChinese, BaseUserAdmin):
    """Accounts. Office staff see the staff of the region they oversee (read-only,
    by their permissions), never citizens; a phone number is shown only where the
    access policy allows; each opening of a citizen's account is recorded."""

    add_form_template = "admin/accounts/user/add_form.html"
    change_password_form = PasswordChangeForm

    list_display = ["username", "display_name", "role", "unit", "region", "is_active"]
    list_filter = ["role", "is_active", "region"]
    search_fields = ["username", "display_name", "unit__name"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("网络问政", {"fields": ["display_name", "phone", "role", "unit", "region", "password_temporary"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("网络问政", {"fields": ["display_name", "role", "unit", "region"]}),
    ]

    def get_queryset(self, request):
        found = super().get_queryset(request)
        if request.user.is_superuser or request.user.role == Role.ADMIN:
            return found
        return found.filter(pk__in=staff_of_region(request.user).values("pk"))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or may_see_phone(request.user, obj):
            return fieldsets
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f != "phone"]}) for name, opts in fieldsets]

    def save_model(self, request, obj, form, change):
        # A move, a new role, a stop or restart is kept: a roster counts a person only
        # as their account was at the evaluation's cut-off (accounts.staff).
        if change:
            staff.record_change(obj, by=request.user, at=timezone.now())
        else:
            obj.password_temporary = True  # typed by the administrator: its owner changes it first
        super().save_model(request, obj, form, change)
        # An account made a county's or city's office keeps its region's units and
        # topics in this admin: given it with the role, not as a step to remember.
        if obj.is_office and {"role", "region"} & set(form.changed_data):
            make_office_staff(obj)

    def user_change_password(self, request, id, form_url=""):
        # One's own password is changed on the site's page, which asks for the old one
        # first and is not marked temporary (a password set here is: PasswordChangeForm).
        if row_id(id) == request.user.pk:
            flash.info(request, _("请在此修改您自己的密码（需输入原密码）。"))
            return redirect("security:password")
        return super().user_change_password(request, id, form_url)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from wenzheng.privacy.models import AccessRecord
        from wenzheng.privacy.records import record_access

        response = super().change_view(request, object_id, form_url, extra_context)
        found = self.get_queryset(request).filter(pk=pk).first() if (pk := row_id(object_id)) is not None else None
        if response.status_code == 200 and found is not None and found.role == Role.CITIZEN:
            record_access(user=request.user, surface=AccessRecord.Surface.ADMIN, citizen=found)
        return response


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionsInChinese, BaseGroupAdmin):
    pass


@admin.register(StaffChange)
class StaffChangeAdmin(ReadOnlyAdmin):
    """The record of staff accounts moved, given another role, stopped or restarted
    (kept where the account is saved); an office sees its region's staff's."""

    list_display = ["user", "at", "by", "unit_before", "unit_after", "role_before", "role_after", "active_after"]
    list_filter = ["active_after"]
    search_fields = ["user__username", "user__display_name"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user__in=staff_of_region(request.user))
