"""The county turns on review before publishing (先审后发) in November, as the office
script of the demo: from then on what citizens agree to publish waits for the
county office, which goes through the queue every working afternoon. It passes what
is ordinary, publishes a redacted version where a citizen wrote an ID number into
the text, and keeps private what its sensitive-word list flags. The last day's
messages are still waiting at `now`, so the queue is never empty in the demo.

Decisions follow from the texts, not from the random source, so the rest of the
demo is exactly as it was without this script.
"""

import datetime as dt

from wenzheng.privacy import actions, sensitive
from wenzheng.privacy.masking import Kind
from wenzheng.privacy.models import Review
from wenzheng.privacy.public import Publisher, citizen_names

from .timeline import at_local
from .world import World

REVIEW_FROM = dt.date(2026, 11, 2)


def review_script(world: World):
    c = world.county
    office, county = c.county_office, c.county
    at = at_local(REVIEW_FROM, dt.time(9, 0))
    yield at
    actions.set_review_before_publishing(region=county, by=office, on=True, at=at)
    actions.add_sensitive_words(region=county, by=office, words=sensitive.DEFAULT_WORDS, at=at)
    day = REVIEW_FROM
    while True:
        day += dt.timedelta(days=1)
        if not world.cal.is_working_day(day):
            continue
        at = at_local(day, dt.time(16, 30))
        yield at
        # What came in before this morning; today's waits for tomorrow.
        due = Review.objects.queue(county).filter(queued_at__lt=at_local(day, dt.time(8, 30)))
        for review in due.select_related("message__citizen", "follow_up"):
            _decide(review, by=office, at=at)


def _decide(review, *, by, at):
    message, item = review.message, review.follow_up
    text = item.text if item else f"{message.title}\n{message.body}"
    words = sorted({h.word for h in sensitive.for_region(message.region).find(text)})
    if words:
        reason = f"含有需要核实的内容（{'、'.join(words)}），暂不公开；留言照常办理。"
        actions.withhold(message=message, by=by, follow_up=item, reason=reason, at=at)
        return
    publisher = Publisher()
    masker = publisher.masker(message.region_id)
    names = citizen_names(message)
    if any(s.kind == Kind.ID_NUMBER for s in masker.spans(text, names=names)):
        actions.publish_redacted(
            message=message,
            by=by,
            follow_up=item,
            title="" if item else masker.mask(message.title, names=names),
            text=masker.mask(item.text if item else message.body, names=names),
            reason="删去网民在留言中填写的身份证号等个人信息。",
            at=at,
        )
        return
    actions.pass_review(message=message, by=by, follow_up=item, at=at)
