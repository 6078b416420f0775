import datetime as dt

from django import template
from django.utils.translation import gettext as _

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
        return _("%(year)s年%(month)s月%(day)s日24时") % {"year": day.year, "month": day.month, "day": day.day}
    return _("%(year)s年%(month)s月%(day)s日 %(time)s") % {
        "year": local.year,
        "month": local.month,
        "day": local.day,
        "time": f"{local:%H:%M}",
    }
