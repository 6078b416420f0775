import datetime as dt

from django import template

from wenzheng.workdays import clock

register = template.Library()


@register.filter
def until(instant: dt.datetime | None) -> str:
    """A deadline as people say it: 24:00 of a day reads "3月6日24时", not "3月7日 00:00"."""
    if instant is None:
        return ""
    local = instant.astimezone(clock.county_zone())
    if local.time() == dt.time.min:
        day = local.date() - dt.timedelta(days=1)
        return f"{day.year}年{day.month}月{day.day}日24时"
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
