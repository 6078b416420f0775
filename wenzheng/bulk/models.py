"""Import jobs, the row-by-row problems they found, and the link from each imported
message back to its number on the platform it came from."""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q


class ImportJob(models.Model):
    """One uploaded file being imported (or checked, for a dry run).

    The database is the queue: the background worker (`manage.py work`) claims a job
    by a conditional update (queued → running), so two workers can never both run it.
    A running job whose heartbeat stops (the worker died) is claimed again; that is
    safe because importing is idempotent by the source number.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    class Unanswered(models.TextChoices):
        """What becomes of a row that was never answered on the old platform."""

        # No clock: the message is kept and can still be answered, but no response or
        # reply stage is opened, so it is never overdue nor counted in timeliness.
        HISTORY = "history", "记为历史留言，不计办理时限"
        # As a fresh dispatch: the stages start at the import, deadlines from then on.
        CLOCK = "clock", "自导入时起计办理时限"

    class Replied(models.TextChoices):
        """What becomes of a replied row whose 办理状态 is not given (no such column, or
        the cell empty): history replied long ago was, as a rule, closed long ago."""

        # Closed at the reply's time, by the category's rule, as a row saying 已办结.
        CLOSED = "closed", "视为已办结（按答复时间办结）"
        # Replied, waiting for the unit's leader to close it: open work in its inbox.
        OPEN = "open", "记为已回复，待单位办结"

    region = models.ForeignKey("units.Region", verbose_name="县（区）", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间")
    filename = models.CharField("文件名", max_length=200)
    # Kept in the database (not on disk) so any worker process can read it; a
    # 100,000-row workbook is a few megabytes. It holds citizens' names and phones,
    # so the worker deletes it IMPORT_FILE_RETENTION_DAYS after the job finished.
    content = models.BinaryField("文件内容")
    file_deleted_at = models.DateTimeField("原文件删除时间", null=True, blank=True)
    source = models.CharField("来源平台", max_length=60, blank=True)
    default_category = models.ForeignKey(
        "handling.Category", verbose_name="缺省类别", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    default_unit = models.ForeignKey(
        "units.Unit", verbose_name="单位为空时交给", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # History moved from another platform may predate the unit's registration here.
    waive_registration = models.BooleanField("不检查单位的实名上网日期", default=False)
    unanswered = models.CharField("未答复的留言", max_length=10, choices=Unanswered.choices, default=Unanswered.HISTORY)
    replied = models.CharField(
        "已答复但无办理状态的留言", max_length=10, choices=Replied.choices, default=Replied.CLOSED
    )
    dry_run = models.BooleanField("仅检查，不导入", default=False)
    # Only when the office says so does a label missing from the tree become a topic.
    create_topics = models.BooleanField("分类表中没有的事项分类自动新增", default=False)

    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    # How many times a worker has taken the job: more than once only when a worker
    # was killed running it (jobs.claim gives up after MAX_CLAIMS).
    claims = models.PositiveSmallIntegerField("开始运行次数", default=0, db_default=0)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    created_count = models.PositiveIntegerField("新增留言", default=0)
    skipped_count = models.PositiveIntegerField("已导入过", default=0)
    problem_count = models.PositiveIntegerField("有问题的行", default=0)
    # Of the rows imported (or, in a dry run, importable): those the `replied` choice
    # decided, replied without a 办理状态.
    unstated_count = models.PositiveIntegerField("已答复、无办理状态的行", default=0)
    # Of the rows imported (or importable): those replied with no 签收 time (the file has
    # no such column, or the cell is empty), whose response nobody is judged on.
    unrecorded_count = models.PositiveIntegerField("已答复、无签收时间的行", default=0, db_default=0)
    failure = models.TextField("失败原因", blank=True)
    ignored_columns = models.JSONField("未导入的列", default=list, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]
        indexes = [
            # The worker's claim: the oldest queued job, or a running one gone quiet.
            models.Index(fields=["state", "created_at"], name="import_job_queue"),
        ]

    def __str__(self):
        return f"{self.filename}（{self.get_state_display()}）"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, self.processed_rows * 100 // self.total_rows) if self.total_rows else 0

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def unstated_report(self) -> str:
        return unstated_line(self.unstated_count, self.replied, dry_run=self.dry_run)

    @property
    def unrecorded_report(self) -> str:
        return unrecorded_line(self.unrecorded_count, dry_run=self.dry_run)

    def summary(self) -> list[tuple[str, int]]:
        """(problem kind, rows) largest first: a row counts once per kind."""
        counts = self.problems.values("kind").annotate(rows=Count("row", distinct=True)).order_by()
        return summary_order((RowProblem.kind_label(c["kind"]), c["rows"]) for c in counts)


def summary_order(counts) -> list[tuple[str, int]]:
    return sorted(counts, key=lambda item: (-item[1], item[0]))


def unstated_line(rows: int, replied: str, *, dry_run: bool = False) -> str:
    """What the import made of the replied rows without a 办理状态, as the page and the
    command say it."""
    made = "视为已办结（办结时间为答复时间）" if replied == ImportJob.Replied.CLOSED else "记为已回复，待单位办结"
    return f"其中已答复但没有办理状态的{rows:,}条{'将' if dry_run else '已'}{made}。"


def unrecorded_line(rows: int, *, dry_run: bool = False) -> str:
    """What the import made of the replied rows without a 签收 time, as the page and the
    command say it: the office should know, before it imports, that their response
    is judged for nobody (the rows imported cannot be given one later)."""
    if dry_run:
        return (
            f"其中已答复但没有签收时间的{rows:,}条将不计签收（回应）时限，不算任何单位签收超期；"
            "原平台记有签收时间的，请先在文件中加一列“签收时间”再导入。"
        )
    return f"其中已答复但没有签收时间的{rows:,}条已不计签收（回应）时限，不算任何单位签收超期。"


def summary_line(kind: str, rows: int) -> str:
    """ "2,816行：缺少单位", as the page, the report and the command print it."""
    return f"{rows:,}行：{kind}"


class RowProblem(models.Model):
    """Why one row (or the whole file, row 0) was not imported."""

    class Kind(models.TextChoices):
        """A short name for each kind of problem, for the report's summary."""

        MISSING_COLUMN = "missing_column", "缺少必需的列"
        UNREADABLE = "unreadable", "无法读取"
        STRAY_QUOTE = "stray_quote", "引号不配对"
        EMPTY = "empty", "必填项为空"
        TOO_LONG = "too_long", "超过字数"
        BAD_NUMBER = "bad_number", "留言编号有误"
        DUPLICATE = "duplicate", "留言编号重复"
        BAD_TIME = "bad_time", "时间无法识别"
        FUTURE = "future", "时间晚于现在"
        TIME_ORDER = "time_order", "时间先后不对"
        REPLY_INCOMPLETE = "reply_incomplete", "答复不完整"
        NO_UNIT = "no_unit", "缺少单位"
        UNKNOWN_UNIT = "unknown_unit", "单位不存在"
        UNIT_NOT_REGISTERED = "unit_not_registered", "单位当时未实名上网"
        NO_CATEGORY = "no_category", "缺少类别"
        UNKNOWN_CATEGORY = "unknown_category", "类别不存在"
        BAD_PHONE = "bad_phone", "联系电话有误"
        BAD_CONSENT = "bad_consent", "是否公开无法识别"
        BAD_STATUS = "bad_status", "办理状态有误"
        UNKNOWN_TOPIC = "unknown_topic", "事项分类不在分类表中"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField("行号")
    column = models.CharField("列", max_length=60, blank=True)
    problem = models.CharField("问题", max_length=300)
    kind = models.CharField("问题类型", max_length=20, choices=Kind.choices, blank=True)  # blank: before kinds

    class Meta:
        verbose_name = "导入问题"
        verbose_name_plural = "导入问题"
        ordering = ["row", "pk"]

    def __str__(self):
        return f"第{self.row}行 {self.column}：{self.problem}"

    @classmethod
    def kind_label(cls, kind: str) -> str:
        return cls.Kind(kind).label if kind in cls.Kind.values else "其他"


class ImportedMessage(models.Model):
    """The message's number on the platform it came from: what makes importing the
    same file twice add nothing."""

    message = models.OneToOneField("handling.Message", on_delete=models.PROTECT, related_name="import_source")
    region = models.ForeignKey("units.Region", on_delete=models.PROTECT, related_name="+")
    source = models.CharField("来源平台", max_length=60, blank=True)
    number = models.CharField("原平台留言编号", max_length=60)
    job = models.ForeignKey(ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "导入来源"
        verbose_name_plural = "导入来源"
        constraints = [
            models.UniqueConstraint(fields=["region", "source", "number"], name="imported_once_per_source"),
            models.CheckConstraint(name="imported_number_not_blank", condition=~Q(number="")),
        ]

    def __str__(self):
        return f"{self.source or '原平台'} {self.number}"
