"""Messages (留言) and everything that hangs off them while they are handled.

Nothing here changes a message's state: wenzheng.handling.actions does, one named,
atomic function per step, each writing its event in the same transaction.
"""

import re

from django.conf import settings
from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from wenzheng.lib.lookups import AnyOf
from wenzheng.ops.models import BatchWalk


class Category(models.Model):
    """A message category with its deadline rule and its closure rule.

    Categories are data so a county can add 投诉 or 求助; the three seeded ones
    (咨询, 建议, 诉求) are those counted in the bulletin.
    """

    class ClosureRule(models.TextChoices):
        # 建议类、咨询类: replied within the limit, and the explanation is clear.
        REPLY = "reply", "在规定时间内回复且解释说明清楚即办结"
        # 诉求类: solved promptly where it can be; otherwise a prompt reply explaining why.
        RESOLVE = "resolve", "能解决的及时解决，不能近期解决的及时答复解释"

    code = models.SlugField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=10, unique=True)
    closure_rule = models.CharField("办结标准", max_length=10, choices=ClosureRule.choices)
    counted_in_bulletin = models.BooleanField("计入通报分类统计", default=True)
    response_days = models.PositiveSmallIntegerField("回应时限（工作日）", default=1)
    reply_days = models.PositiveSmallIntegerField("回复时限（工作日）", default=5)
    max_extension_days = models.PositiveSmallIntegerField("延期累计上限（工作日）", default=15)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "留言类别与办理时限"
        verbose_name_plural = "留言类别与办理时限"
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="category_limits_positive",
                condition=Q(response_days__gte=1, reply_days__gte=1),
                violation_error_message="回应和回复时限至少为1个工作日。",
            ),
            models.CheckConstraint(
                name="category_response_before_reply",
                condition=Q(response_days__lte=models.F("reply_days")),
                violation_error_message="回应时限不能长于回复时限。",
            ),
        ]

    def __str__(self):
        return self.name

    def closure_kinds(self) -> list[str]:
        """How a message of this category may be closed by its unit (DOMAIN.md, 办结):
        咨询、建议 as answered; 诉求 as solved, or as explained where it cannot be solved
        soon. (Long-cycle closure needs the leadership group's approval instead.)"""
        if self.closure_rule == self.ClosureRule.REPLY:
            return [Message.ClosureKind.ANSWERED]
        return [Message.ClosureKind.SOLVED, Message.ClosureKind.EXPLAINED]


SERIAL = re.compile(r"^([0-9]{4})-([0-9]{1,9})$")


def parse_serial(text: str) -> tuple[int, int] | None:
    """A public serial number ("2026-000046") as (year, number), or None for anything
    else: no input may reach the database as a number it cannot hold."""
    m = SERIAL.match((text or "").strip())
    return (int(m[1]), int(m[2])) if m else None


class SerialCounter(models.Model):
    """The last serial number handed out in a county's year.

    Submitting locks this row, so numbers come out in order with no duplicates; the
    number is taken in the same transaction as the message, so a failed submission
    rolls its number back and leaves no gap.
    """

    region = models.ForeignKey("units.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "留言编号计数器"
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="serial_counter_once")]

    def __str__(self):
        return f"{self.region_id}/{self.year}: {self.last_number}"


# A published message: consented, answered once (a unit's reply made public), and not
# taken off as spam or merged into another. A message reopened after 回访 stays
# published, its answer and its state (办理中) shown, until it is answered again: the
# press's and the citizen's links to it keep working. PUBLISHED_STATES in the order
# the partial indexes' condition lists them; PUBLISHED_SQL is that condition as
# SQLite's planner must see it (Message.published).
PUBLISHED_STATES = [
    "pending_dispatch", "dispatched", "responded", "transfer_requested", "replied", "closure_pending", "closed",
]  # fmt: skip
PUBLISHED = Q(consent_to_publish=True, answered=True, state__in=PUBLISHED_STATES)
PUBLISHED_SQL = (
    '"handling_message"."answered" AND "handling_message"."consent_to_publish" AND "handling_message"."state" IN ('
    + ", ".join(f"'{state}'" for state in PUBLISHED_STATES)
    + ")"
)


class MessageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What a signed-in user may open. Everything that shows a message goes
        through here: strangers get a 404, never a peek."""
        from wenzheng.accounts.models import Role
        from wenzheng.accounts.policy import handled_by

        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN or user.is_superuser:
            return self
        if user.role in (Role.HANDLER, Role.LEADER):
            return self.filter(handled_by(user.unit))
        if user.role == Role.COUNTY_OFFICE:
            return self.filter(region_id=user.region_id)
        if user.role == Role.CITY_OFFICE:
            return self.filter(region__parent_id=user.region_id)
        return self.filter(citizen=user)

    def in_city(self, city):
        """Messages of a city's counties (`city` a Region or its pk). On SQLite the
        county test is kept off the region index (the unary +): otherwise the planner
        reads each county's rows through message_published_region and sorts them all
        (1.3 s for the newest 20 of a city's 640,000), where message_published_recent
        gives them in order (2 ms). On PostgreSQL the city's counties are read once
        per statement, as an array (an InitPlan): the join `region__parent` made
        each message looked up by its key (a search's 200, wenzheng.search.engines)
        hash the city's counties again, 0.013 ms a lookup instead of 0.005 (1.5 ms
        of a city board's search at a million messages)."""
        from wenzheng.units.models import Region

        city_id = getattr(city, "pk", city)
        if connections[self.db].vendor == "sqlite":
            return self.extra(
                where=['+"handling_message"."region_id" IN (SELECT "id" FROM "units_region" WHERE "parent_id" = %s)'],
                params=[city_id],
            )
        counties = Region.objects.filter(parent_id=city_id).order_by().values("pk")
        return self.filter(AnyOf(F("region_id"), Subquery(counties)))

    def published(self):
        """Shown on public pages: the citizen consented, a unit has replied (PUBLISHED:
        once, so a message reopened stays), and the county office has not held it
        back (先审后发: waiting for review, or withheld)."""
        from wenzheng.privacy.models import Review

        held = Review.objects.filter(message=OuterRef("pk"), follow_up__isnull=True, state__in=Review.State.hidden())
        found = self.filter(PUBLISHED).filter(~Exists(held))
        if connections[self.db].vendor == "sqlite":
            # SQLite uses a partial index (message_published_*) only when the WHERE
            # clause holds the index's condition as literal terms: the same condition
            # with bound parameters made the city board scan and sort 640,000 rows
            # (0.9 s) instead of reading 20 through the index (0.6 ms).
            found = found.extra(where=[PUBLISHED_SQL])  # noqa: S610 (our constants, no input)
        return found

    def for_unit(self, unit):
        return self.filter(unit=unit)

    def search(self, query, *, audience, order="relevance"):
        """Those whose `audience` document (wenzheng.search) holds every term of
        `query` (a wenzheng.search.text.Query), ranked or newest first."""
        from wenzheng.search.selectors import search

        return search(self, query, audience=audience, order=order)

    def received_between(self, start, end):
        """Submitted in [start, end)."""
        return self.filter(submitted_at__gte=start, submitted_at__lt=end)

    def overdue(self, *, at):
        """Messages with a stage past its deadline and still open at `at`."""
        late = Stage.objects.filter(message=OuterRef("pk"), completed_at__isnull=True, due_at__lte=at)
        return self.filter(Exists(late))

    def counted(self):
        """The messages every figure counts as received: all but those the county office
        marked as spam (垃圾留言). Every count of messages (the bulletin's figures, the
        statistics, the evaluation's facts, kept figures) starts here, so a spam mark
        takes a message out of all of them at once.

        Merged messages (并单) are received like any other; what they add beyond that
        follows their main message (`counted_once`, README "Counting merged messages")."""
        return self.exclude(state=Message.State.SPAM)

    def counted_once(self):
        """What a unit's figures and rates count (并单 counting rule): `counted()` less
        the messages merged into another, which are answered, and counted, as their main
        message. So a problem written in by five citizens counts once for the unit."""
        return self.counted().exclude(state=Message.State.MERGED)


class StageQuerySet(models.QuerySet):
    def counted(self):
        """The stages the evaluation may count: none of a message marked as spam,
        whenever they ended; of a message merged into another (并单), only those its
        unit had let run late (ended late before the merge, or past their deadline
        when it was merged): a merge answers a citizen through the main message, whose
        clocks count once (`MessageQuerySet.counted_once`), but wipes out no lateness
        that happened (DOMAIN.md, "Counting rules": no path through the side steps pays)."""
        return (
            self.exclude(message__state=Message.State.SPAM)
            .exclude(outcome__in=[Stage.Outcome.SPAM, Stage.Outcome.MERGED])
            .exclude(Q(message__state=Message.State.MERGED) & ~Q(outcome=Stage.Outcome.LATE))
        )


class Message(models.Model):
    class State(models.TextChoices):
        PENDING_DISPATCH = "pending_dispatch", "待交办"
        DISPATCHED = "dispatched", "待签收"
        RESPONDED = "responded", "办理中"
        TRANSFER_REQUESTED = "transfer_requested", "退单待审核"
        REPLIED = "replied", "已回复"
        CLOSURE_PENDING = "closure_pending", "长周期办结待审批"
        CLOSED = "closed", "已办结"
        # Marked by the county office as spam (a flood, an advertisement): its clocks
        # stopped, out of every figure, off the public pages (handling.actions.mark_spam).
        SPAM = "spam", "垃圾留言"
        # Merged by the county office into the message it repeats (并单): its clocks
        # stopped, answered by the main message's reply and closure
        # (handling.actions.merge_duplicate).
        MERGED = "merged", "已并单"

        @classmethod
        def answered(cls):
            return [cls.REPLIED, cls.CLOSURE_PENDING, cls.CLOSED]

        @classmethod
        def being_handled(cls):
            """Before an answer: a message answered once (Message.answered) and in one
            of these again was reopened, and is shown as handled anew."""
            return [cls.PENDING_DISPATCH, cls.DISPATCHED, cls.RESPONDED, cls.TRANSFER_REQUESTED]

        @classmethod
        def with_unit(cls):
            return [cls.DISPATCHED, cls.RESPONDED, cls.TRANSFER_REQUESTED, cls.REPLIED, cls.CLOSURE_PENDING]

        @classmethod
        def may_be_spam(cls):
            """Before closure: a message closed, or waiting for long-cycle approval,
            was handled as a real one and stays so (reopen it first)."""
            return [cls.PENDING_DISPATCH, cls.DISPATCHED, cls.RESPONDED, cls.TRANSFER_REQUESTED, cls.REPLIED]

        @classmethod
        def may_be_merged(cls):
            """A duplicate is merged before any unit has answered it: once replied, its
            citizen has an answer of their own, and the message is handled as it is."""
            return [cls.PENDING_DISPATCH, cls.DISPATCHED, cls.RESPONDED, cls.TRANSFER_REQUESTED]

        @classmethod
        def may_take_merged(cls):
            """A main message takes duplicates while it is still open: not once closed
            (a citizen writing again after a closure is a new request, handled anew)."""
            return [
                cls.PENDING_DISPATCH, cls.DISPATCHED, cls.RESPONDED, cls.TRANSFER_REQUESTED,
                cls.REPLIED, cls.CLOSURE_PENDING,
            ]  # fmt: skip

    class ClosureKind(models.TextChoices):
        ANSWERED = "answered", "已答复（咨询、建议类）"
        SOLVED = "solved", "已解决"
        EXPLAINED = "explained", "暂不能解决，已答复解释"
        LONG_CYCLE = "long_cycle", "解决周期长或解决不了，经领导小组同意"

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"

    region = models.ForeignKey(
        "units.Region", verbose_name="县（区）", on_delete=models.PROTECT, related_name="messages"
    )
    year = models.PositiveSmallIntegerField("年份")
    number = models.PositiveIntegerField("年度序号")
    category = models.ForeignKey(Category, verbose_name="类别", on_delete=models.PROTECT, related_name="messages")
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="办理单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    # 事项分类: what it is about (DOMAIN.md, Topics); set by the citizen, the office at
    # dispatch or the unit on reply, always through an action with its event.
    topic = models.ForeignKey(
        "topics.Topic",
        verbose_name="事项分类",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    consent_to_publish = models.BooleanField("同意公开留言内容", default=False)
    # A unit's reply to it has been made public (handling.actions.reply): set once,
    # never cleared, so that a message reopened after 回访 stays on the board.
    answered = models.BooleanField("已有公开答复", default=False, db_default=False)

    # The citizen's identity and contact: private, never on a public page.
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="网民账号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    citizen_name = models.CharField("姓名", max_length=50)
    citizen_phone = models.CharField("联系电话", max_length=20)
    citizen_id_number = models.CharField("身份证号", max_length=18, blank=True)
    citizen_email = models.EmailField("电子邮箱", blank=True)
    citizen_address = models.CharField("联系地址", max_length=200, blank=True)
    tracking_code = models.CharField("查询码", max_length=12, unique=True)
    passcode_hash = models.CharField("查询密码", max_length=128)

    state = models.CharField("状态", max_length=20, choices=State.choices)
    submitted_at = models.DateTimeField("留言时间")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closure_kind = models.CharField("办结方式", max_length=12, choices=ClosureKind.choices, blank=True)
    closure_explanation = models.TextField("长周期办结说明", blank=True)
    rating = models.CharField("网民评价", max_length=20, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    supervised_at = models.DateTimeField("督办时间", null=True, blank=True)
    # An unanswered message imported as history (wenzheng.bulk): it stays with its unit
    # and can be answered, but no response or reply stage was opened for it, so it is
    # never overdue nor counted in timeliness. A later act that starts a clock for it
    # (a re-dispatch, a reopening) makes it an ordinary timed message again.
    untimed = models.BooleanField("历史留言，不计办理时限", default=False)
    # 并单: the message this one repeats, whose reply and closure answer it too. Always a
    # main message itself (merging into a merged message merges into its main).
    merged_into = models.ForeignKey(
        "self",
        verbose_name="并入的主留言",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "留言"
        verbose_name_plural = "留言"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "number"], name="message_serial_unique"),
            models.CheckConstraint(
                name="message_unit_matches_state",
                condition=Q(state="pending_dispatch", unit__isnull=True)
                | Q(state__in=["spam", "merged"])
                | (~Q(state__in=["pending_dispatch", "spam", "merged"]) & Q(unit__isnull=False)),
                violation_error_message="待交办的留言没有办理单位，其他状态（垃圾留言除外）必须有。",
            ),
            models.CheckConstraint(
                name="message_closed_has_time_and_kind",
                condition=(Q(state="closed", closed_at__isnull=False) & ~Q(closure_kind=""))
                | (~Q(state="closed") & Q(closed_at__isnull=True, closure_kind="")),
                violation_error_message="已办结的留言必须有办结时间和办结方式。",
            ),
            models.CheckConstraint(
                name="message_merged_iff_main",
                condition=Q(state="merged", merged_into__isnull=False)
                | (~Q(state="merged") & Q(merged_into__isnull=True)),
                violation_error_message="已并单的留言必须指明主留言，其他留言不能有。",
            ),
            models.CheckConstraint(
                name="message_untimed_has_unit",
                condition=~Q(untimed=True, state="pending_dispatch"),
                violation_error_message="待交办的留言交办时起计时限，不能记为历史留言。",
            ),
        ]
        indexes = [
            # The unit inbox: a unit's messages in a given state.
            models.Index(fields=["unit", "state"], name="message_unit_state"),
            # Period statistics: messages received in a county between two instants.
            models.Index(fields=["region", "submitted_at"], name="message_region_submitted"),
            # The county office's dispatch queue.
            models.Index(fields=["state", "submitted_at"], name="message_state_submitted"),
            # A county's messages in given states: the dispatch queue of one county and
            # its page count, the county dashboard's counts (waiting for dispatch,
            # closures to approve). Through message_region_submitted these read every
            # message of the county (50,000 at 1M: 0.1–0.2 s each).
            models.Index(fields=["region", "state", "submitted_at"], name="message_region_state_submitted"),
            # Public messages newest first (as `published()` filters them): the city's
            # board and API list, the home page's latest answers, each page read in
            # order, and the board's bounded count (wenzheng.lib.paging).
            models.Index(
                fields=["-submitted_at", "-id"],
                condition=PUBLISHED,
                name="message_published_recent",
            ),
            # The same in one county: a county's board and API list, Open311's requests.
            models.Index(
                fields=["region", "-submitted_at", "-id"],
                condition=PUBLISHED,
                name="message_published_region",
            ),
        ]

    def __str__(self):
        return f"{self.serial} {self.title}"

    @staticmethod
    def answered_as(ref=F):
        """The message whose replies and closure answer this one, as an expression: its
        main message when merged (并单), itself otherwise (`ref=OuterRef` in a subquery)."""
        return Coalesce(ref("merged_into"), ref("pk"))

    def extension_days_used(self, *, unit_id=None) -> int:
        """The working days of extension approved for the message at a unit (the one
        holding it, unless said): the stages of a reopening share the unit's
        allowance; a transfer gives the receiving unit its own (DOMAIN.md)."""
        return self.extension_days(unit_id=unit_id)[0]

    def extension_days(self, *, unit_id=None) -> tuple[int, int]:
        """The working days of extension at a unit, approved and still waiting for the
        office. Each reply stage may have a request waiting (a reopened stage's beside
        the one about the late reply before the reopening): what the unit may still
        ask for holds back the days waiting, counted once, as approved or as waiting."""
        Status = ExtensionRequest.Status
        requests = ExtensionRequest.objects.filter(message=self, stage__unit_id=unit_id or self.unit_id)
        days = requests.aggregate(
            approved=Sum("days", filter=Q(status=Status.APPROVED)), waiting=Sum("days", filter=Q(status=Status.PENDING))
        )
        return days["approved"] or 0, days["waiting"] or 0

    def rating_stands(self) -> bool:
        """Whether its writer has rated the answer as it stands: rated, and no reply
        published since. A message reopened after a 不满意 and answered again is rated
        again; its latest rating before a cut-off is the one the evaluation counts
        (wenzheng.evaluation.facts.ratings_in), the earlier ones stay in its events.

        A message merged into another (并单) is answered by its main message's replies
        (not those to the main citizen's follow-ups), and by the answers to its own
        citizen's follow-ups: its citizen rates again once the main message is
        answered anew."""
        if not self.rating:
            return False
        answers = self.replies.all()
        if self.state == Message.State.MERGED:
            answers = Reply.objects.filter(Q(message=self) | Q(message_id=self.merged_into_id, follow_up=None))
        return not answers.filter(at__gt=self.rated_at).exists()

    @property
    def reopened(self) -> bool:
        """Answered once and handled anew (reopened after 回访): public, with its answer."""
        return self.answered and self.state in Message.State.being_handled()

    @property
    def shown_state(self) -> str:
        """The state as the public pages name it: 重新办理中 for a reopened message, as
        the board's filter says."""
        return "重新办理中" if self.reopened else self.get_state_display()

    @property
    def serial(self) -> str:
        """The public number, e.g. 2026-000046."""
        return f"{self.year}-{self.number:06d}"

    @property
    def serial_number(self) -> int:
        """The serial as one sortable number (2026-000046 → 2026000046)."""
        return self.year * 1_000_000 + self.number

    def open_stage(self, kind):
        return self.stages.filter(kind=kind, completed_at__isnull=True).first()


class Stage(models.Model):
    """One timed obligation of one unit: to respond, or to reply, by a deadline.

    A transfer closes the old unit's open stages (outcome "transferred", not counted
    against it) and opens new ones for the receiving unit; a reassignment (改派) by the
    county office ends them as "reassigned", counted for nobody; a reopening opens a
    new reply stage. The outcome is frozen when the stage completes.
    """

    class Kind(models.TextChoices):
        RESPONSE = "response", "回应"
        REPLY = "reply", "回复"

    class Outcome(models.TextChoices):
        ON_TIME = "on_time", "按时"
        LATE = "late", "超期"
        TRANSFERRED = "transferred", "已转办"
        # Dispatched to the wrong unit and moved by the office before it responded:
        # the stage counts for nobody (DOMAIN.md, 改派).
        REASSIGNED = "reassigned", "已改派"
        # Stopped when the county office marked the message as spam: for nobody.
        SPAM = "spam", "垃圾留言，停止计时"
        # Stopped when the message was merged into the one it repeats (并单): for nobody.
        MERGED = "merged", "已并单，停止计时"

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="stages")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="stages")
    kind = models.CharField("环节", max_length=10, choices=Kind.choices)
    started_at = models.DateTimeField("起算时间")
    limit_days = models.PositiveSmallIntegerField("时限（工作日）")
    due_at = models.DateTimeField("期限")
    due_warning = models.CharField("期限提示", max_length=200, blank=True)
    extension_days = models.PositiveSmallIntegerField("已延期（工作日）", default=0)
    # The working days a hand-back (退单) of the reply's unit waited for the county
    # office before it was refused: the unit could not reply meanwhile, so its
    # deadline moves back by them (actions.reject_transfer). A default in the database
    # too: the bulk writers (imports, the benchmarks) insert rows without it.
    held_days = models.PositiveSmallIntegerField("退单审核顺延（工作日）", default=0, db_default=0)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=12, choices=Outcome.choices, blank=True)
    # The message's serial as one number (2026-000046 → 2026000046), copied when the
    # stage opens (a serial never changes): the reminder pass names each unit's first
    # message from the open stages alone, not by reading a message for each stage.
    serial_number = models.BigIntegerField("留言编号（数值）", editable=False)

    objects = StageQuerySet.as_manager()

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "kind"],
                condition=Q(completed_at__isnull=True),
                name="stage_one_open_per_kind",
            ),
            models.CheckConstraint(
                name="stage_outcome_iff_completed",
                condition=Q(completed_at__isnull=True, outcome="") | (Q(completed_at__isnull=False) & ~Q(outcome="")),
            ),
        ]
        indexes = [
            # Inbox ordering and overdue lists: open stages by deadline.
            models.Index(fields=["unit", "completed_at", "due_at"], name="stage_unit_open_due"),
            # The reminder sweep (wenzheng.notifications.timers): open stages whose
            # deadline falls in a range of days, across every unit.
            models.Index(fields=["due_at"], condition=Q(completed_at__isnull=True), name="stage_open_by_due"),
            # The recount after a calendar change: the few stages counted by weekdays only.
            models.Index(fields=["id"], condition=~Q(due_warning=""), name="stage_fallback_deadline"),
        ]

    def __str__(self):
        return f"{self.message.serial} {self.get_kind_display()} {self.unit}"

    @property
    def working_days(self) -> int:
        """The working days the unit has from the stage's start: the limit, the
        extensions approved and the days a refused hand-back held it."""
        return self.limit_days + self.extension_days + self.held_days

    @classmethod
    def judge(cls, *, completed_at, due_at, handed_back_at=None) -> str:
        """The outcome of a stage completed at `completed_at`. A stage ended by a
        transfer counts as "transferred" (not against the unit) only if the unit
        handed the message back before its deadline; handed back late, it was late."""
        if handed_back_at is not None and handed_back_at < due_at:
            return cls.Outcome.TRANSFERRED
        return cls.Outcome.ON_TIME if (handed_back_at or completed_at) < due_at else cls.Outcome.LATE


class Reply(models.Model):
    """A unit's published answer, shown under the unit's name; the answer to one
    follow-up when `follow_up` is set (shown under it)."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="replies")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("回复内容")
    at = models.DateTimeField("回复时间")
    follow_up = models.ForeignKey(
        "FollowUp", verbose_name="答复的追问", on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )

    class Meta:
        verbose_name = "回复"
        verbose_name_plural = "回复"
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up"],
                condition=Q(follow_up__isnull=False),
                name="reply_one_answer_per_follow_up",
                violation_error_message="这条追问已经答复过了。",
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.at:%Y-%m-%d %H:%M}"


class FollowUp(models.Model):
    """The citizen's follow-up question (追问) after a reply."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="follow_ups")
    text = models.TextField("追问内容")
    at = models.DateTimeField("追问时间")

    class Meta:
        verbose_name = "追问"
        verbose_name_plural = "追问"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"追问 {self.at:%Y-%m-%d %H:%M}"


class ExtensionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已同意"
        REJECTED = "rejected", "未同意"
        # Ended undecided by the message's own course (replied in time, moved, merged,
        # spam); replied late, it waits for the office still (actions._publish), and
        # so does one ended by a reply a recount finds late after all (deadlines).
        LAPSED = "lapsed", "已失效"

    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, related_name="extension_requests", verbose_name="留言"
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="extension_requests")
    days = models.PositiveSmallIntegerField("申请延期（工作日）")
    reason = models.TextField("理由")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]
        constraints = [
            # One waiting per reply stage: a reopened stage may ask while the request
            # about the late reply before the reopening still waits for the office.
            models.UniqueConstraint(
                fields=["stage"], condition=Q(status="pending"), name="extension_one_pending_per_stage"
            ),
            models.CheckConstraint(name="extension_days_positive", condition=Q(days__gte=1)),
        ]

    def __str__(self):
        return f"延期{self.days}个工作日（{self.get_status_display()}）"


class DeadlineRecount(BatchWalk):
    """A request to count open deadlines again after the calendar changed, done by the
    background worker (`manage.py work`), not inside the change's own request.

    Several changes in a row (a whole year's holidays entered day by day) make one
    queued request: at most one waits at a time, and it reads the calendar as it is
    when it runs. A change made while a recount runs queues the next one.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    class Walk(models.TextChoices):
        # In this order: the open stages' deadlines, then the completed stages
        # judged by weekdays only.
        OPEN = "open", "未完成环节的期限"
        FALLBACK = "fallback", "按工作日估算判定的已完成环节"

    requested_at = models.DateTimeField("提出时间")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提出人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # How far it has come (deadlines.run_recount), kept so that a run whose worker
    # died goes on from there (and a batch that kills it is found: ops.batches).
    walk = models.CharField("进行到", max_length=10, choices=Walk.choices, default=Walk.OPEN)
    after = models.BigIntegerField("已处理到的环节", default=0)
    moved = models.PositiveIntegerField("重新核定的期限", default=0)
    rejudged = models.PositiveIntegerField("重新判定的已完成环节", default=0)
    failure = models.TextField("失败原因", blank=True)

    class Meta:
        verbose_name = "期限重新核定"
        verbose_name_plural = "期限重新核定"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["state"], condition=Q(state="queued"), name="deadline_recount_one_queued"),
        ]
        indexes = [
            # The worker's claim: the queued request, or a running one gone quiet.
            models.Index(fields=["state", "requested_at"], name="deadline_recount_queue"),
        ]

    def __str__(self):
        return f"{self.requested_at:%Y-%m-%d %H:%M} {self.get_state_display()}"


class ReplyDraft(models.Model):
    """A handler's reply waiting for the unit leader's sign-off (审核后公开), where the
    county (or the unit) asks for it. Approved, it is published as a Reply at that
    moment: the reply counts as given when the citizen can see it (DOMAIN.md, step 6).

    Drafts live apart from Reply so that nothing that reads replies (the figures, the
    evaluation, the public pages) can mistake one for an answer.
    """

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已审核公开"
        RETURNED = "returned", "已退回修改"
        WITHDRAWN = "withdrawn", "已失效"

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="drafts")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("回复内容")
    follow_up = models.ForeignKey(
        "FollowUp", verbose_name="答复的追问", on_delete=models.PROTECT, null=True, blank=True, related_name="drafts"
    )
    written_at = models.DateTimeField("提交时间")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    note = models.TextField("审核意见", blank=True)
    reply = models.OneToOneField(Reply, on_delete=models.PROTECT, null=True, blank=True, related_name="draft")

    class Meta:
        verbose_name = "待审核回复"
        verbose_name_plural = "待审核回复"
        ordering = ["written_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message"],
                condition=Q(state="pending"),
                name="draft_one_pending_per_message",
                violation_error_message="这条留言已有一份回复待分管领导审核。",
            ),
            models.CheckConstraint(
                name="draft_published_iff_approved",
                condition=Q(state="approved", reply__isnull=False) | (~Q(state="approved") & Q(reply__isnull=True)),
            ),
        ]

    def __str__(self):
        return f"{self.message.serial} {self.get_state_display()}"


class RevisitQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Revisit.State.OPEN)

    def for_unit(self, unit):
        return self.filter(unit=unit)

    def search(self, query, *, audience, order="relevance"):
        """Those whose `audience` document (wenzheng.search) holds every term of
        `query` (a wenzheng.search.text.Query), ranked or newest first."""
        from wenzheng.search.selectors import search

        return search(self, query, audience=audience, order=order)


class Revisit(models.Model):
    """回访: a citizen's follow-up or 不满意 rating, as work for the unit and for the
    county office, which either reopens the message or records why the answer stands.
    Nothing a citizen writes may sit where no one will see it (DOMAIN.md, step 7).

    The citizen's words stay in their own rows (the follow-up, or `reason` here), never
    in the event log, which refers to this row.
    """

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", "追问"
        DISSATISFIED = "dissatisfied", "不满意"

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        REOPENED = "reopened", "已重办"
        UPHELD = "upheld", "答复成立"

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="revisits")
    unit = models.ForeignKey("units.Unit", verbose_name="办理单位", on_delete=models.PROTECT, related_name="revisits")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    follow_up = models.OneToOneField(
        FollowUp, verbose_name="追问", on_delete=models.PROTECT, null=True, blank=True, related_name="revisit"
    )
    reason = models.TextField("不满意的理由", blank=True)
    opened_at = models.DateTimeField("提出时间")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_note = models.TextField("处理意见", blank=True)

    objects = RevisitQuerySet.as_manager()

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["opened_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="revisit_follow_up_iff_kind",
                condition=Q(kind="follow_up", follow_up__isnull=False) | Q(kind="dissatisfied", follow_up__isnull=True),
            ),
            models.CheckConstraint(
                name="revisit_decided_iff_closed",
                condition=Q(state="open", decided_at__isnull=True) | (~Q(state="open") & Q(decided_at__isnull=False)),
            ),
        ]
        indexes = [
            # The county office's queue and the unit's inbox tabs: open revisits.
            models.Index(fields=["unit", "kind"], condition=Q(state="open"), name="revisit_open_by_unit"),
        ]

    def __str__(self):
        return f"{self.message.serial} {self.get_kind_display()}（{self.get_state_display()}）"


class FormSubmission(models.Model):
    """One submitted form, by the key rendered into it (`{% form_key %}`): posting a
    message, replying, following up or rating. The key is unique here, and taken in
    the same transaction as what the form creates, so going back and submitting the
    same page again creates nothing a second time (wenzheng.handling.once)."""

    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=40)  # "step:answer-follow-up" is 21: a 500 on PostgreSQL
    result = models.CharField("结果", max_length=64, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = "表单提交记录"
        verbose_name_plural = "表单提交记录"

    def __str__(self):
        return f"{self.kind} {self.key}"
