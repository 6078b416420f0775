"""Regions (city → counties), real-name units, and their yearly roster filings."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from wenzheng.accounts.models import Role
from wenzheng.lib import text

# The office by no level, where a page cannot tell whose it is (a sign-in page of a
# city's several counties and districts): right for a 县, a 区, a county-level 市 and a
# 旗 alike, where 县网络问政办 is wrong for all but the first. Where it is the
# county-level office as a kind that is meant (a role, an API's help), as against the
# city's, it is 县级网络问政办 (OFFICE_KIND).
ANY_OFFICE = "网络问政办"
OFFICE_KIND = "县级网络问政办"


class RegionQuerySet(models.QuerySet):
    def default(self):
        """The county this deployment serves, or its city when it serves several."""
        counties = self.filter(kind=Region.Kind.COUNTY)
        if counties.count() == 1:
            return counties.first()
        return self.filter(kind=Region.Kind.CITY).first()


class Region(models.Model):
    """A city (市) or one of its counties (县). A county is what runs the zone."""

    class Kind(models.TextChoices):
        CITY = "city", "市"
        COUNTY = "county", "县（区）"

    name = models.CharField("名称", max_length=50)
    code = models.SlugField("代码", max_length=20, unique=True, help_text="用于编号与网址，如 luocheng")
    kind = models.CharField("级别", max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # 审核后公开 (DOMAIN.md, step 6): a county setting; a unit may differ from it.
    reply_signoff = models.BooleanField(
        "回复须经分管领导审核后公开",
        default=False,
        help_text="开启后，网络评论员的回复在本单位分管领导审核通过后才公开，并以公开时间计算是否按时回复。",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区域"
        verbose_name_plural = "行政区域"
        ordering = ["kind", "name"]
        constraints = [
            # A county belongs to a city; a city stands at the top.
            models.CheckConstraint(
                name="region_county_has_city",
                condition=Q(kind="city", parent__isnull=True) | Q(kind="county", parent__isnull=False),
                violation_error_message="县（区）必须有上级市，市不能有上级。",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def office_name(self) -> str:
        """The region's 网络问政办 wherever it is named in full (page headers, the
        demo's office accounts, the API): by the region's full name, never a short
        form of it (罗城仫佬族自治县网络问政办, not 罗城县网络问政办; 金城江区网络问政办;
        河池市网络问政办)."""
        return f"{self.name}网络问政办"

    @property
    def level(self) -> str:
        """What the region calls itself where the place goes without saying (本县, 本区):
        县, 区 for a district, 市 for a city or a county-level city, 旗."""
        if self.kind == self.Kind.CITY:
            return "市"
        return self.name[-1] if self.name and self.name[-1] in "县区市旗" else "县"

    @property
    def office_by_level(self) -> str:
        """The office by its level alone, as a notice to one of the region's own units
        names it (the place goes without saying, and an SMS has no room for it):
        县网络问政办, 区网络问政办 for a district, 市网络问政办 for a city or a
        county-level city, 旗网络问政办."""
        return f"{self.level}网络问政办"

    @property
    def handling_office(self) -> str:
        """The office that handles the region's messages (交办, 公开审核, 回访, the
        units' staff accounts), as the region's own pages tell of it: a county's by its
        level; on a city's pages, which speak of all its counties and districts, each
        with an office of its own, by no level (ANY_OFFICE)."""
        return ANY_OFFICE if self.kind == self.Kind.CITY else self.office_by_level

    @property
    def offices_with_city(self) -> str:
        """The region's office and its city's, as a page or a refusal open to both
        names them: 县、市网络问政办, 区、市网络问政办 for a district; a county-level
        city's by their names (市、市 would not read); a city's, its own alone."""
        if self.parent_id is None:
            return self.office_by_level
        if self.level == "市":
            return f"{self.office_name}或{self.parent.office_name}"
        return f"{self.level}、市网络问政办"

    def names_unit(self, unit_name: str, county_name: str) -> str:
        """How this region's pages and documents name a unit: a city's with its
        county's name (罗城仫佬族自治县·县交通运输局), since every county has its
        县交通运输局; a county's as it is."""
        return f"{county_name}·{unit_name}" if self.kind == self.Kind.CITY else unit_name

    def clean(self):
        self.name = text.name(self.name)
        parent = self.parent if self.parent_id else None
        if self.kind == self.Kind.COUNTY and parent is not None and parent.kind != self.Kind.CITY:
            raise ValidationError({"parent": "县（区）的上级须是市。"})
        if self.name and Region.objects.filter(parent=parent, name=self.name).exclude(pk=self.pk).exists():
            raise ValidationError({"name": f"已有名为“{self.name}”的{self.get_kind_display()}。"})


class UnitQuerySet(models.QuerySet):
    def registered_by(self, day):
        """Units registered on or before `day` and not yet deactivated on it."""
        return self.filter(registered_on__lte=day).filter(Q(deactivated_on__isnull=True) | Q(deactivated_on__gt=day))

    def dispatchable(self, day):
        """Units the county office may give a message to on `day`: registered by then
        and not deactivated (the dispatch form's list, and what routing may suggest)."""
        return self.filter(registered_on__lte=day, deactivated_on__isnull=True)

    def in_region(self, region):
        if region.kind == Region.Kind.CITY:
            return self.filter(region__parent=region)
        return self.filter(region=region)


class Unit(models.Model):
    """A real-name registered unit (实名上网单位): a township or a department."""

    class Kind(models.TextChoices):
        TOWNSHIP = "township", "乡镇"
        DEPARTMENT = "department", "部门"

    region = models.ForeignKey(
        Region,
        verbose_name="所属县（区）",
        on_delete=models.PROTECT,
        related_name="units",
        limit_choices_to={"kind": Region.Kind.COUNTY},
    )
    name = models.CharField("单位名称", max_length=60)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    registered_on = models.DateField("实名上网日期")
    deactivated_on = models.DateField("停用日期", null=True, blank=True)
    reply_signoff = models.BooleanField(
        "回复审核",
        null=True,
        blank=True,
        choices=[(None, "按县（区）设置"), (True, "须经分管领导审核后公开"), (False, "不需审核，即时公开")],
        help_text="留空则按所属县（区）的设置。",
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "实名上网单位"
        verbose_name_plural = "实名上网单位"
        ordering = ["region", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="unit_name_unique_in_region",
                violation_error_message="同一县（区）内已有同名单位。",
            ),
            models.CheckConstraint(
                name="unit_deactivated_after_registered",
                condition=Q(deactivated_on__isnull=True) | Q(deactivated_on__gte=models.F("registered_on")),
                violation_error_message="停用日期不能早于实名上网日期。",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.name = text.name(self.name)
        # A unit may be registered ahead of its start, not years ahead (2099: a typo).
        if self.registered_on and self.registered_on > timezone.localdate() + dt.timedelta(days=366):
            raise ValidationError({"registered_on": "实名上网日期不能晚于一年以后，请检查年份。"})

    @property
    def active(self) -> bool:
        return self.deactivated_on is None

    def signoff_required(self) -> bool:
        """Whether a handler's reply waits for the leader's approval (审核后公开)."""
        return self.region.reply_signoff if self.reply_signoff is None else self.reply_signoff

    def waits_for_signoff(self, by) -> bool:
        """Whether an answer `by` writes for this unit waits for its leader's approval:
        a handler's, where sign-off is required (the leader's own is published)."""
        return by.role == Role.HANDLER and self.signoff_required()


class RosterFilingQuerySet(models.QuerySet):
    def in_force(self, *, before=None):
        """The filings in force: for each unit and year, the newest version (filed
        before `before`, when given). A correction is a filing of its own, never an
        edit, so the one in force at an instant is the last one filed before it."""
        newer = RosterFiling.objects.filter(unit=models.OuterRef("unit"), year=models.OuterRef("year")).filter(
            version__gt=models.OuterRef("version")
        )
        if before is not None:
            newer = newer.filter(filed_at__lt=before)
            return self.filter(filed_at__lt=before).exclude(models.Exists(newer))
        return self.exclude(models.Exists(newer))


class RosterFiling(models.Model):
    """The unit's yearly list of its leader and handlers (名单上报), one version of it.

    Filed by `wenzheng.units.services.roster_file` only, with its event; a correction
    is the next version, never an edit of this one (the admin shows filings read-only).
    """

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="roster_filings")
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本", default=1)
    filed_at = models.DateTimeField("上报时间")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上报人",
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RosterFilingQuerySet.as_manager()

    class Meta:
        verbose_name = "年度名单上报"
        verbose_name_plural = "年度名单上报"
        ordering = ["-year", "unit", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "version"],
                name="roster_filing_version_once",
                violation_error_message="该单位本年度的这一版名单已经上报。",
            ),
        ]

    def __str__(self):
        if self.version > 1:
            return f"{self.unit} {self.year}年度名单（第{self.version}版）"
        return f"{self.unit} {self.year}年度名单"

    def lapsed_members(self) -> list:
        """Members whose account has since stopped, moved to another unit or taken
        another role: they no longer count (the evaluation reads their account as it
        was at its cut-off), and the roster needs correcting."""
        return [m for m in self.members.all() if not m.standing]

    def is_complete(self) -> bool:
        """1 leader and at least 2 handlers, as the county requires (as filed)."""
        return _complete([m.position for m in self.members.all()])

    def counts_in_full(self) -> bool:
        """Complete with its standing members alone, as the evaluation counts it: a
        roster filed complete whose handler has left reads short (a leader's roster
        page said 名单完整 beside "不再计入", and the evaluation gave 0 of 10)."""
        return _complete([m.position for m in self.members.all() if m.standing])


def _complete(positions) -> bool:
    return positions.count(RosterMember.Position.LEADER) == 1 and positions.count(RosterMember.Position.HANDLER) >= 2


class RosterMember(models.Model):
    class Position(models.TextChoices):
        LEADER = "leader", "分管领导"
        HANDLER = "handler", "网络评论员"

    filing = models.ForeignKey(RosterFiling, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="工作人员账号", on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField("职责", max_length=10, choices=Position.choices)

    class Meta:
        verbose_name = "名单成员"
        verbose_name_plural = "名单成员"
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "user"],
                name="roster_member_once",
                violation_error_message="同一人不能在名单中出现两次。",
            ),
            models.UniqueConstraint(
                fields=["filing"],
                condition=Q(position="leader"),
                name="roster_one_leader",
                violation_error_message="名单只能有1名分管领导。",
            ),
        ]

    def __str__(self):
        return f"{self.get_position_display()} {self.user}"

    def counts_as(self, unit_id, role, active) -> bool:
        """Whether an account that is (`unit_id`, `role`, `active`) fills this slot:
        active, of the filing's unit, in the role of the slot (a leader account is not
        a handler)."""
        return active and unit_id == self.filing.unit_id and role == self.position

    @property
    def standing(self) -> bool:
        """Whether the account, as it is now, fills the slot."""
        return self.counts_as(self.user.unit_id, self.user.role, self.user.is_active)
