"""Accounts: one user model for citizens and staff, with the role they act in."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from wenzheng.lib import text


class Role(models.TextChoices):
    CITIZEN = "citizen", "网民"
    HANDLER = "handler", "网络评论员"
    LEADER = "leader", "分管领导"
    # The kind, right for a 区, a 旗 or a county-level 市 as well: a person's own pages
    # name their office by its region (User.role_title: 区网络问政办).
    COUNTY_OFFICE = "county_office", "县级网络问政办"
    CITY_OFFICE = "city_office", "市网络问政办"
    ADMIN = "admin", "系统管理员"


UNIT_ROLES = (Role.HANDLER, Role.LEADER)
OFFICE_ROLES = (Role.COUNTY_OFFICE, Role.CITY_OFFICE)
OFFICE_LEVELS = {"county": "县（区）", "city": "市"}


class WenzhengUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Unit staff belong to a unit; office staff to a region.

    The role says in which capacity the person acts; every handling action checks it
    together with the unit or region (wenzheng.handling.actions).
    """

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.CITIZEN)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    region = models.ForeignKey(
        "units.Region",
        verbose_name="所属县（区）或市",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="office_staff",
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    # A password the county office opened or reset the account with (and has seen):
    # until its owner changes it, every page asks for the change first
    # (wenzheng.security.middleware.temporary_password).
    password_temporary = models.BooleanField(
        "临时密码",
        default=False,
        db_default=False,  # rows written by SQL alone (the benchmarks' loaders) have none
        help_text="由网络问政办开设或重置的密码；本人登录后须先改为自己的密码。",
    )

    objects = WenzhengUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            # Unit staff have a unit and no region; office staff a region and no unit.
            models.CheckConstraint(
                name="user_role_matches_attachment",
                condition=(
                    Q(role__in=["handler", "leader"], unit__isnull=False, region__isnull=True)
                    | Q(role__in=["county_office", "city_office"], unit__isnull=True, region__isnull=False)
                    | Q(role__in=["citizen", "admin"], unit__isnull=True, region__isnull=True)
                ),
                violation_error_message=(
                    "网络评论员和分管领导须属于一个单位；县级网络问政办和市网络问政办须属于一个县（区）或市；"
                    "网民和管理员两者都不填。"
                ),
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    def clean(self):
        super().clean()
        self.display_name = text.name(self.display_name)
        # An office belongs to a region of its own level: a county office to a county.
        level = {Role.COUNTY_OFFICE: "county", Role.CITY_OFFICE: "city"}.get(self.role)
        if level and self.region_id and self.region.kind != level:
            raise ValidationError({"region": f"{self.get_role_display()}须属于一个{OFFICE_LEVELS[level]}。"})

    @property
    def role_title(self) -> str:
        """The role as the person's pages name it: an office by its region's level, as
        it calls itself (县网络问政办, 区网络问政办, 市网络问政办); any other role by
        its name."""
        if self.role in OFFICE_ROLES and self.region_id is not None:
            return self.region.office_by_level
        return self.get_role_display()

    @property
    def is_unit_staff(self) -> bool:
        return self.role in UNIT_ROLES

    @property
    def is_office(self) -> bool:
        return self.role in OFFICE_ROLES

    def oversees(self, county) -> bool:
        """Whether this office user (or admin) has authority over a county."""
        if self.role == Role.ADMIN:
            return True
        if self.role == Role.COUNTY_OFFICE:
            return self.region_id == county.pk
        if self.role == Role.CITY_OFFICE:
            return self.region_id == county.parent_id
        return False


class PasswordResetCode(models.Model):
    """A six-digit code sent by SMS or e-mail to reset a forgotten password
    (wenzheng.accounts.resets). Only its keyed hash is kept; a code lasts
    resets.LIFETIME, allows resets.MAX_TRIES wrong guesses, and works once. The rows
    also count the requests for the rate limits, by account and by address (a request
    that sent nothing is a row without a user or code)."""

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        EMAIL = "email", "电子邮件"

    # Empty for a request that named no account (or one without the address): kept
    # all the same, so that the limit per address counts every request.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reset_codes", null=True, blank=True)
    channel = models.CharField("发送方式", max_length=10, choices=Channel.choices)
    code_hash = models.CharField(max_length=64)
    requested_at = models.DateTimeField("申请时间")
    requested_from = models.GenericIPAddressField("申请地址", null=True, blank=True)
    tries = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "找回密码验证码"
        verbose_name_plural = "找回密码验证码"
        indexes = [
            # The per-account rate limit: an account's codes in the last day.
            models.Index(fields=["user", "requested_at"], name="reset_code_user_time"),
            # The per-address rate limit: the requests from one address in the last hour.
            models.Index(fields=["requested_from", "requested_at"], name="reset_code_address_time"),
        ]

    def __str__(self):
        return f"{self.user} {self.get_channel_display()} {self.requested_at:%Y-%m-%d %H:%M}"


class StaffChange(models.Model):
    """A unit staff account moved, given another role, stopped or restarted
    (accounts.staff.record_change): what it was before and after. A roster names
    people; the evaluation counts a person for the roster in force at its cut-off only
    if their account was then active, of that unit and in that role, which is read
    from these rows (the account as it is now, for a cut-off after the last change)."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.PROTECT, related_name="staff_changes")
    at = models.DateTimeField("变更时间")
    by = models.ForeignKey(
        User, verbose_name="操作人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit_before = models.ForeignKey(
        "units.Unit", verbose_name="原单位", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit_after = models.ForeignKey(
        "units.Unit", verbose_name="新单位", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role_before = models.CharField("原角色", max_length=20, choices=Role.choices)
    role_after = models.CharField("新角色", max_length=20, choices=Role.choices)
    active_before = models.BooleanField("原为启用")
    active_after = models.BooleanField("现为启用")

    class Meta:
        verbose_name = "工作人员账号变更"
        verbose_name_plural = "工作人员账号变更"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["user", "at"], name="staff_change_user_time")]

    def __str__(self):
        return f"{self.user} {self.at:%Y-%m-%d}"
