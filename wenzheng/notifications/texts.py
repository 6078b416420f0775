"""The words of every notice, in Chinese, short enough for one SMS (70 characters,
the length of one Chinese SMS segment) whatever the message: the serial number
stands for the message, never its title, a unit's name is whole up to UNIT_NAME
characters, and a quoted reason or note is cut to the room the rest leaves.

A notice keeps its words and its link's path apart (Notice.text, Notice.link): the
address is made from SITE_URL when the notice is sent (`sms`, channels.body), so a
notice queued under one address and sent by a server with another links to the
server that sends it.

Pure functions over plain values; tests/test_texts.py renders each with the longest
values it can get and counts.
"""

import datetime as dt

from django.conf import settings

SMS_LIMIT = 70
# A unit's name, whole up to the longest a county's units have (罗城仫佬族自治县乡村振兴和
# 农业农村局: the demo county's longest is 17); cut beyond, with an ellipsis.
UNIT_NAME = 18


def short(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quoting(before: str, quoted: str, after: str) -> str:
    """`before`（`quoted`）`after`: free text (a reason, an office's note; whole on the
    message's page) given the room the rest leaves in one SMS."""
    room = SMS_LIMIT - len(before) - len(after) - 2
    return f"{before}（{short(quoted, max(room, 10))}）{after}"


def day(value: dt.date) -> str:
    return f"{value.month}月{value.day}日"


def day_with_year(value: dt.date) -> str:
    """A day that may lie in another year than the reader assumes (a deadline past)."""
    return f"{value.year}年{day(value)}"


def public_url(path: str) -> str:
    """An address on this site for a message outside it (e-mail, SMS)."""
    return settings.SITE_URL.rstrip("/") + path


def sms(text: str, *, link: str = "", always: bool = False) -> str:
    """An SMS as it is sent: the notice's words, then its link made absolute with
    SITE_URL as it is now. A citizen's always carries it (`always`: their way to the
    message; checks.py warns when a long SITE_URL makes that two SMS); staff's only
    while the signature, the words and the link still make one SMS (they are
    reminded in the app too, and a second SMS is billed for every handler)."""
    if not link:
        return text
    linked = f"{text}，{public_url(link)}"
    if always or len(settings.SMS_SIGNATURE) + len(linked) <= SMS_LIMIT:
        return linked
    return text


# --- staff --------------------------------------------------------------------------


def arrived(*, serial: str, category: str, days: int, how: str, merged: int = 0) -> str:
    """A message for the unit: written to it by the citizen (`direct`), or given to it
    by the county office (`dispatched`; `transferred`, from another unit)."""
    if how == "direct":
        text = f"网民给本单位的新留言{serial}（{short(category, 6)}），请在{days}个工作日内签收。"
    else:
        by = {"dispatched": "交办", "transferred": "转办"}[how]
        text = f"新留言{serial}（{short(category, 6)}）已{by}本单位，请在{days}个工作日内签收。"
    return text + with_merged(merged)


def with_merged(count: int) -> str:
    """What a unit is told of the messages merged (并单) into one it now handles."""
    return f"另有{count}条留言已并入，答复和办结将同时送达这些网民。" if count else ""


def _which(count: int, serial: str) -> str:
    return f"留言{serial}" if count == 1 else f"{count}条留言（{serial}等）"


def due_soon(*, count: int, serial: str, stage: str, last_day: dt.date) -> str:
    return f"{_which(count, serial)}的{stage}期限为{day(last_day)}24时，仅剩1个工作日，请及时办理。"


def overdue(*, count: int, serial: str, stage: str, last_day: dt.date) -> str:
    return f"{_which(count, serial)}已超过{stage}期限（{day(last_day)}24时），请尽快办理。"


def office_overdue(*, count: int, days: int, first_serial: str) -> str:
    more = "等" if count > 1 else ""
    return f"有{count}条留言超期{days}个工作日仍未办理（{first_serial}{more}），请督办。"


def backlog_passed(*, unit: str, last_day: dt.date, unanswered: int) -> str:
    return f"{short(unit, UNIT_NAME)}限期梳理回复已于{day(last_day)}24时到期，仍有{unanswered}条留言未回复。"


def _message(serial: str, main: str) -> str:
    """A message as a unit's or the office's notice names it: one merged into another
    (并单) with the main message whose answer its citizen read."""
    return f"并单留言{serial}（已并入留言{main}）" if main else f"留言{serial}"


def dissatisfied(*, serial: str, unit: str, main: str = "") -> str:
    """To the county office, which decides (回访: reopen, or record why the answer stands).
    The answer is `unit`'s to the main message, for a merged one's citizen (并单)."""
    merged = f"（并单留言{serial}）" if main else ""
    return f"网民对{short(unit, UNIT_NAME)}就留言{main or serial}所作答复不满意{merged}，请处理回访。"


def dissatisfied_unit(*, serial: str, office: str, main: str = "") -> str:
    """To the unit, whose answer it was: it does not decide the 回访, the office does."""
    return f"网民对{_message(serial, main)}的答复不满意，请查看不满意的理由；{office}将回访核实。"


def transfer_accepted(*, serial: str, to_unit: str) -> str:
    return f"留言{serial}的退单申请已同意，已转交{short(to_unit, UNIT_NAME)}办理，本单位无需再办理。"


def reassigned_away(*, serial: str, to_unit: str, reason: str, office: str) -> str:
    return _quoting(f"留言{serial}已由{office}改派给{short(to_unit, UNIT_NAME)}", reason, "，本单位无需再办理。")


def merged_away(*, serial: str, main: str, to_unit: str | None, office: str) -> str:
    """并单, for the unit the merged message had been given to: the main message's
    unit answers it (`to_unit`; None, one not yet given to a unit)."""
    if to_unit:
        return f"留言{serial}已由{office}并入{short(to_unit, UNIT_NAME)}的留言{main}（并单），本单位无需再办理。"
    return f"留言{serial}已由{office}并入留言{main}（并单），由主留言统一答复，本单位无需再办理。"


def merged_here(*, serial: str, main: str, carried: int = 0) -> str:
    """并单, for the unit of the main message (`carried`: the messages merged into the
    merged one, which come along)."""
    if carried:
        return (
            f"留言{serial}及并入它的{carried}条留言已并入本单位的留言{main}（并单），"
            "请一并回应，答复和办结将同时送达这些网民。"
        )
    return f"留言{serial}已并入本单位的留言{main}（并单），请在答复中一并回应，答复和办结将同时送达该留言网民。"


def unmerged(*, serial: str) -> str:
    return f"留言{serial}的并单已撤销，请继续办理，办理期限从今天起重新计算。"


def spam_marked(*, serial: str, reason: str, office: str) -> str:
    """垃圾留言, for the unit that held the message."""
    return f"留言{serial}已由{office}标记为垃圾留言（{short(reason, 30)}），本单位无需再办理。"


def spam_unmarked(*, serial: str) -> str:
    return f"留言{serial}的垃圾留言标记已撤销，请继续办理，办理期限从今天起重新计算。"


def unmerged_away(*, serial: str, main: str) -> str:
    """撤销并单, for the unit of the main message it had been merged into."""
    return f"留言{serial}并入留言{main}的并单已撤销，该留言不再由本单位合并答复，原办理单位继续办理。"


def transfer_rejected(*, serial: str, reason: str, last_day: dt.date | None = None) -> str:
    """The hand-back refused; `last_day`: the reply's deadline, moved back by the days
    the hand-back waited (handling.actions.reject_transfer)."""
    then = "办理期限不变" if last_day is None else f"回复期限顺延至{day(last_day)}24时"
    return _quoting(f"留言{serial}的退单申请不予同意", reason, f"，请继续办理，{then}。")


def extension_approved(
    *, serial: str, last_day: dt.date, reply_outcome: str | None = None, earlier: bool = False
) -> str:
    """`reply_outcome`: decided after a late reply, how that reply now stands;
    `earlier`: the request was about a reply stage the message has left behind
    (reopened, moved on since), whose deadline is not the one it runs by now."""
    then = {None: "", "on_time": "，已作的回复改判按时", "late": "，已作的回复仍超期"}[reply_outcome]
    if earlier:
        return f"留言{serial}的延期申请已同意，此前一次回复的期限延至{day_with_year(last_day)}24时{then}。"
    return f"留言{serial}的延期申请已同意，回复期限延至{day(last_day)}24时{then}。"


def extension_rejected(*, serial: str, reason: str, reply_outcome: str | None = None) -> str:
    then = {None: "请按原期限回复", "late": "已作的回复按原期限计为超期", "on_time": "已作的回复按时"}[reply_outcome]
    return f"留言{serial}的延期申请不予同意（{short(reason, 30)}），{then}。"


def long_cycle_approved(*, serial: str) -> str:
    return f"留言{serial}的长周期办结申请已同意，留言已办结。"


def followed_up(*, serial: str, main: str = "") -> str:
    return f"{_message(serial, main)}有网民追问，请及时答复。"


def signoff(*, serial: str, author: str, follow_up: bool = False, main: str = "") -> str:
    """`follow_up`: the draft answers a citizen's follow-up (追问), not the message;
    `main`: on a message merged into that one (并单), whose citizen asked."""
    what = "追问的答复" if follow_up else "的回复"
    return f"{short(author, 10)}提交了{_message(serial, main)}{what}，待您审核后公开。"


def returned(*, serial: str, note: str) -> str:
    return f"您对留言{serial}的回复被退回修改：{short(note, 24)}"


def superseded(*, serial: str) -> str:
    return f"留言{serial}已有回复公开，您待审核的回复随之失效；如需补充，可在留言页另行回复。"


def unmerged_draft(*, serial: str) -> str:
    """撤销并单, for the author of the main message's unit's answer to the merged
    citizen's follow-up, waiting for sign-off."""
    return f"留言{serial}的并单已撤销，改由原办理单位答复，您待审核的追问答复随之失效。"


def moved_draft(*, serial: str, main: str = "") -> str:
    """转办, for the author of a reply waiting for sign-off at the unit the message
    has left (`main`: a message merged into the one moved, whose citizen's follow-up
    the draft answered)."""
    return f"{_message(serial, main)}已转由其他单位办理，您待审核的回复随之失效。"


def spam_draft(*, serial: str) -> str:
    return f"留言{serial}已被标记为垃圾留言，您待审核的回复随之失效。"


def merged_draft(*, serial: str, main: str) -> str:
    """并单, for the author of a reply waiting for sign-off on the message merged."""
    return f"留言{serial}已并入留言{main}（并单），由主留言统一答复，您待审核的回复随之失效。"


def reopened(*, serial: str, days: int) -> str:
    return f"留言{serial}已退回重办，请在{days}个工作日内重新回复。"


def supervised(*, serial: str, note: str) -> str:
    return f"留言{serial}已列入督办（{short(note, 30)}），请抓紧办理。"


def ordered(*, last_day: dt.date, office: str) -> str:
    return f"{office}责成本单位作出书面说明，并于{day(last_day)}24时前梳理回复积压留言。"


def explained(*, unit: str) -> str:
    return f"{short(unit, UNIT_NAME)}已提交书面说明，请查阅；如不符合要求，可退回重写。"


def explanation_returned(*, note: str, office: str) -> str:
    return f"{office}退回了本单位的书面说明，请重写：{short(note, 24)}"


def proposals(*, period: str, count: int) -> str:
    return f"{period}有{count}个单位回应或回复超时，书面说明建议待您确认。"


def daily_digest(*, count: int, first: str) -> str:
    return f"今日共有{count}条通知，请登录查看。第一条：{short(first, 40)}"


def weekly(*, open_count: int, due_soon: int, overdue: int, dissatisfied: int) -> str:
    return (
        f"本单位留言周报：在办{open_count}条，即将到期{due_soon}条，已超期{overdue}条，不满意待处理{dissatisfied}条。"
    )


def locked_out(*, who: str, at: dt.datetime, ip: str) -> str:
    """A lockout, for the office over the account (or the administrators): the name
    tried (whatever was typed), its sign-ins from that address alone locked (django-axes
    locks a name at an address). The address is named where it fits one SMS (an IPv4
    one does; an IPv6 one may not, and the audit log keeps it)."""
    who, when = short(who, 20), f"{day(at)}{at:%H:%M}"
    text = f"账号“{who}”{when}在{ip}连续输错密码，仅该地址被锁定，请核实。"
    if not ip or len(text) > SMS_LIMIT:
        text = f"账号“{who}”{when}连续输错密码，仅其所用地址被锁定，请核实。"
    return text


# --- the citizen --------------------------------------------------------------------


def for_citizen(*, serial: str, what: str, code: str) -> str:
    """答复 or 办结, with the tracking code; sent with a link (`sms`, channels.body)
    that also offers to unsubscribe. With the link to SITE_URL's default address,
    the SMS leaves `what` 8 characters (tests/test_texts.py counts every one)."""
    return f"留言{serial}{what}，查询码{code}"


def merged(*, answered: bool) -> str:
    """并单, for the merged message's citizen: which message answers theirs, and who
    handles it, the page of the link says (an SMS has no room for it)."""
    return "已合并办理并答复" if answered else "已合并办理"


def unmerged_citizen(*, rating_withdrawn: bool = False) -> str:
    """撤销并单, for the merged message's citizen (`rating_withdrawn`: they had rated the
    main message's answer, and that rating goes with the merge). Who answers it now,
    the page of the link says."""
    return "合并及评价已撤销" if rating_withdrawn else "已撤销合并办理"


CITIZEN_EVENTS = {
    "answered": "已答复",
    "closed": "已办结",
    "follow_up_answered": "的追问已答复",
    # Review before publishing (wenzheng.privacy): the reason is on the tracking page.
    "review_redacted": "经审核删节后公开",
    "review_withheld": "经审核不予公开",
    # 回访: the county office's decision on the citizen's 不满意 or follow-up.
    "revisit_upheld": "经回访答复成立",
    "revisit_reopened": "经回访退回重办",
}
