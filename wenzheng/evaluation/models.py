"""The year-end evaluation (绩效考评): schemes as data, and the runs scored with them.

A scheme is versioned data (items of a few kinds with their points and parameters),
never code. A run is one scoring of one region's units over one period with one
scheme version, stored with its cut-off moment and a digest of the facts it read, so
the same inputs and scheme give the same stored result and anyone can check it.

City bulletin rows (通报) are imported from an .xlsx; each row becomes a supervision
finding (through wenzheng.handling.actions.record_finding, with its event) and is
kept here too, because a bulletin row carries the city's own points, which a
supervision finding has no place for, and its row number in the file it came from.
"""

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class SchemeQuerySet(models.QuerySet):
    def latest_version(self, code):
        """The newest version of a scheme shared by every county, or None."""
        return self.filter(code=code, region__isnull=True).order_by("-version").first()

    def usable_in(self, region):
        """The schemes a region's evaluation may use: those shared by every county,
        its own office's and (for a county) its city's."""
        owners = [pk for pk in (region.pk, region.parent_id) if pk is not None]
        return self.filter(Q(region__isnull=True) | Q(region__in=owners))

    def default_for(self, region, code="default"):
        """The version of `code` a region's evaluation uses unless told otherwise: the
        newest its own office saved, else the newest its city's saved, else the newest
        shared one. A county that changed a scheme keeps its change when the shared
        scheme gets a newer version; it may still choose that version."""
        nearest = models.Case(
            models.When(region=region.pk, then=0),
            models.When(region__isnull=False, then=1),
            default=2,
        )
        found = self.usable_in(region).filter(code=code).annotate(nearest=nearest)
        return found.order_by("nearest", "-version").first()


def owner_name(region) -> str:
    """Whose a scheme is, in words: a region's name, or 各县共用 for the shared ones."""
    return region.name if region is not None else "各县共用"


def default_grades():
    # DOMAIN.md: ≥90 优秀, ≥80 良好, ≥60 合格, else 不合格.
    return [[90, "优秀"], [80, "良好"], [60, "合格"], [0, "不合格"]]


class Scheme(models.Model):
    """A scoring scheme (考评方案), one version of it.

    Once a run has used a version it is never edited: a change is a new version
    (`wenzheng.evaluation.schemes.new_version`), so every stored run can still show
    the rules it was scored by.
    """

    code = models.SlugField("方案代码", max_length=40)
    # Whose scheme this is: one county's (or a city's, for its counties), edited and
    # imported by its office; empty for the schemes every county shares, which the
    # administrator keeps. An office's change to a scheme not its own is saved as a
    # version of its own (wenzheng.evaluation.schemes.save_edit), so that one county
    # never changes how another is scored.
    region = models.ForeignKey(
        "units.Region",
        verbose_name="所属区域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="schemes",
        help_text="留空为各县共用的方案（由系统管理员维护）；网络问政办修改或导入的方案属于其所在区域。",
    )
    version = models.PositiveIntegerField("版本", default=1)
    name = models.CharField("方案名称", max_length=100)
    notes = models.TextField("说明", blank=True)
    min_due = models.PositiveIntegerField(
        "参与排名的最少到期留言数",
        default=5,
        help_text="本期到期应回复的留言少于此数的单位单独列出，不参与排名。",
    )
    grades = models.JSONField(
        "等次划分",
        default=default_grades,
        help_text='从高到低的[分数线, 等次]列表，如 [[90, "优秀"], [80, "良好"], [60, "合格"], [0, "不合格"]]。',
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = "考评方案"
        verbose_name_plural = "考评方案"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="scheme_version_once")]

    def __str__(self):
        return f"{self.name}（{self.code} 第{self.version}版，{self.owner_name}）"

    @property
    def owner_name(self) -> str:
        return owner_name(self.region if self.region_id else None)

    def owned_by(self, owner) -> bool:
        """Whether `owner` (a region; None for the shared schemes) owns this version."""
        return self.region_id == (owner.pk if owner is not None else None)

    def may_score(self, region) -> bool:
        """What `usable_in` selects, for one scheme: shared, the region's or its city's."""
        return self.region_id in (None, region.pk, region.parent_id)

    def refusal_for(self, region) -> str:
        return f"“{self.name}”是{self.owner_name}的考评方案，不能用于{region.name}的考评。"

    @property
    def total_points(self) -> Decimal:
        return sum((item.max_points for item in self.items.all()), Decimal(0))

    def clean(self):
        from django.core.exceptions import ValidationError

        from .schemes import clean_grades

        errors = []
        clean_grades(self.grades, errors)
        if errors:
            raise ValidationError({"grades": errors})

    @property
    def locked(self) -> bool:
        """Used by a run, or by a published bulletin's red and black list: changes go
        into a new version (a list published must trace back to the scheme it was
        ranked by, as it was)."""
        return self.runs.exists() or self.bulletins.exists()


class SchemeItem(models.Model):
    """One scored item of a scheme: its kind says how it scores (see kinds.py), its
    parameters what it measures, its explanation why, in words for the units."""

    class Kind(models.TextChoices):
        RATE = "rate", "比率（低于下限不得分，达到满分线得满分）"
        DEDUCTION = "deduction", "扣分（按事项扣分，扣完为止）"
        COMPLIANCE = "compliance", "达标（符合要求得分）"

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField("项目代码", max_length=40)
    kind = models.CharField("计分方式", max_length=20, choices=Kind.choices)
    label = models.CharField("考评项目", max_length=60)
    max_points = models.DecimalField(
        "分值", max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    params = models.JSONField("参数", default=dict, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    explanation = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "考评项目"
        verbose_name_plural = "考评项目"
        ordering = ["scheme", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="scheme_item_key_once"),
            models.CheckConstraint(name="scheme_item_points_not_negative", condition=Q(max_points__gte=0)),
        ]

    def __str__(self):
        return f"{self.label}（{self.max_points}分）"

    def clean(self):
        from . import kinds

        kinds.validate(self.kind, self.params, self.max_points)

    def rule_text(self) -> str:
        """The scoring rule in Chinese, written from the parameters."""
        from . import kinds

        return kinds.get(self.kind).describe(self.params, self.max_points)


class Run(models.Model):
    """One evaluation: a region's units scored over a period with a scheme version."""

    scheme = models.ForeignKey(Scheme, verbose_name="考评方案", on_delete=models.PROTECT, related_name="runs")
    # The scheme as it was read, so the run still shows its rules if the row is ever
    # changed behind the admin's back.
    scheme_snapshot = models.JSONField("方案内容")
    region = models.ForeignKey("units.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    period_code = models.CharField("考评期间", max_length=30)
    period_label = models.CharField("期间名称", max_length=60)
    first_day = models.DateField("起始日")
    last_day = models.DateField("截止日")
    cutoff = models.DateTimeField("统计截止时刻")
    digest = models.CharField("输入摘要", max_length=64)
    categories = models.JSONField("留言类别", default=dict)  # code → name, as they were
    units_count = models.PositiveIntegerField("参评单位数", default=0)
    created_at = models.DateTimeField("计算时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The heads of the event chains the run read ([chain, seq, hash] each), printed on
    # its pages and documents: `verify_events --anchor` checks them later.
    anchors = models.JSONField("记录链锚点", default=list, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公布人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "考评结果"
        verbose_name_plural = "考评结果"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The runs list, newest first, per region.
            models.Index(fields=["region", "-created_at"], name="run_region_created"),
        ]
        constraints = [
            # One published result per region and period: what the public reads.
            models.UniqueConstraint(
                fields=["region", "period_code"],
                condition=Q(published_at__isnull=False),
                name="run_published_once",
                violation_error_message="该期间的考评结果已经公布。",
            ),
            models.CheckConstraint(
                name="run_published_with_its_publisher",
                condition=Q(published_at__isnull=True, published_by__isnull=True)
                | Q(published_at__isnull=False, published_by__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.period_label} {self.scheme_snapshot.get('name', '')}（第{self.pk}次）"

    @property
    def short_digest(self) -> str:
        return self.digest[:12]

    @property
    def anchor_list(self):
        from wenzheng.eventlog.chain import Anchor

        return [Anchor.from_list(a) for a in self.anchors]

    def same_as_earlier(self):
        """An earlier run that read the same inputs with the same scheme and cut-off."""
        return (
            Run.objects.filter(
                scheme=self.scheme,
                region=self.region,
                first_day=self.first_day,
                last_day=self.last_day,
                cutoff=self.cutoff,
                digest=self.digest,
                pk__lt=self.pk,
            )
            .order_by("pk")
            .first()
        )


class UnitResult(models.Model):
    """One unit's result in a run: its facts, item points, total, grade and rank."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField("单位", max_length=60)
    unit_kind = models.CharField("类型", max_length=12)
    facts = models.JSONField("统计事实")
    points = models.JSONField("各项得分")
    total = models.DecimalField("总分", max_digits=7, decimal_places=2)
    grade = models.CharField("等次", max_length=10)
    due = models.PositiveIntegerField("到期应回复留言数")
    # Too few due messages for a rate to mean anything: scored over the items that had
    # data (the total is scaled to full marks), marked 样本不足, listed apart, no rank.
    apart = models.BooleanField("样本不足单列", default=False)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    measured_points = models.DecimalField("有数据项目得分", max_digits=7, decimal_places=2, null=True, blank=True)
    measured_max = models.DecimalField("有数据项目满分", max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "单位考评结果"
        verbose_name_plural = "单位考评结果"
        ordering = ["run", "unit_kind", "apart", "rank", "unit_name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "unit"], name="unit_result_once"),
            models.CheckConstraint(name="unit_result_ranked_or_apart", condition=Q(apart=True) | Q(rank__isnull=False)),
        ]

    def __str__(self):
        return f"{self.unit_name} {self.total}"

    SMALL_SAMPLE = "样本不足"

    @property
    def grade_shown(self) -> str:
        """The grade as printed: a small sample's carries the mark 样本不足."""
        return f"{self.grade}（{self.SMALL_SAMPLE}）" if self.apart else self.grade


class BulletinImport(models.Model):
    """One uploaded .xlsx of city bulletin findings, imported whole or not at all."""

    region = models.ForeignKey("units.Region", verbose_name="县（区）", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要", max_length=64)
    rows = models.PositiveIntegerField("导入条数")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="导入人"
    )
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "市通报导入"
        verbose_name_plural = "市通报导入"
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.file_name}（{self.rows}条）"


class BulletinRow(models.Model):
    """One row of a city bulletin: the finding it became and the points it carries."""

    source = models.ForeignKey(BulletinImport, on_delete=models.PROTECT, related_name="bulletin_rows")
    row_number = models.PositiveIntegerField("行号")
    finding = models.OneToOneField(
        "supervision.SupervisionFinding", on_delete=models.PROTECT, related_name="bulletin_row"
    )
    unit = models.ForeignKey("units.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    period_code = models.CharField("通报期间", max_length=30)
    text = models.CharField("通报内容", max_length=500)
    points = models.DecimalField("扣分", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "市通报条目"
        verbose_name_plural = "市通报条目"
        ordering = ["source", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["source", "row_number"], name="bulletin_row_once"),
            # The same finding for the same unit and period is one finding: a file
            # imported twice adds nothing.
            models.UniqueConstraint(fields=["unit", "period_code", "text"], name="bulletin_row_not_twice"),
            models.CheckConstraint(name="bulletin_row_points_not_negative", condition=Q(points__gte=0)),
        ]

    def __str__(self):
        return f"{self.source.file_name} 第{self.row_number}行"


class PublishedBulletin(models.Model):
    """A quarterly bulletin the office has released: from then on anyone may read its
    page (/evaluation/public/<county>/<period>/), as it was published. Only a period
    that has ended can be published."""

    region = models.ForeignKey("units.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    period_code = models.CharField("通报期间", max_length=30)
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发布人"
    )
    # The heads of the event chains at publication ([chain, seq, hash] each), printed
    # on the public page: `verify_events --anchor` checks them later.
    anchors = models.JSONField("记录链锚点", default=list, blank=True)
    # The quarter's red and black list (红黑榜) as published (publication.red_black),
    # and the scheme version it was ranked by, which is locked from then on.
    red_black = models.JSONField("红黑榜", default=dict, blank=True)
    scheme = models.ForeignKey(
        Scheme, verbose_name="红黑榜依据的考评方案", on_delete=models.PROTECT, null=True, blank=True,
        related_name="bulletins",
    )  # fmt: skip
    # The bulletin as the public read it when it was published: its figures are
    # counted at the period's end, but history imported afterwards, a message
    # reassigned or merged would count them differently later, and what was
    # published must not move. Empty for those published before it was kept.
    title = models.CharField("标题", max_length=200, blank=True)
    span = models.CharField("统计期间说明", max_length=200, blank=True)
    body = models.TextField("发布时的正文（HTML）", blank=True)

    class Meta:
        verbose_name = "已发布的通报"
        verbose_name_plural = "已发布的通报"
        ordering = ["-published_at"]
        constraints = [models.UniqueConstraint(fields=["region", "period_code"], name="bulletin_published_once")]

    def __str__(self):
        return f"{self.region} {self.period_code}"

    def content_digest(self) -> str:
        """What the public reads of it (its publication time, title, span, text, red
        and black list and the scheme that ranked it), as one hash: its publication's event carries it,
        and `verify_events` finds a bulletin rewritten in the database since (a
        trial changed 回复率93.9% to 98.3% and every check still passed)."""
        content = [
            self.region_id, self.period_code, self.published_at.astimezone(dt.UTC).isoformat(), self.title, self.span,
            self.body,
            self.red_black, self.scheme_id,
        ]  # fmt: skip
        raw = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def period_label(self) -> str:
        """2026年第一季度, as the bulletin names its period (the code is 2026Q1)."""
        from wenzheng.reports import periods

        return periods.parse(self.period_code).label

    @property
    def anchor_list(self):
        from wenzheng.eventlog.chain import Anchor

        return [Anchor.from_list(a) for a in self.anchors]
