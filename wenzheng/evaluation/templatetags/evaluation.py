from decimal import Decimal

from django import template

from wenzheng.evaluation import documents, kinds
from wenzheng.reports import periods

register = template.Library()


@register.filter
def points(value) -> str:
    """Points as a person writes them: 15, 12.5, 12.35."""
    if value in (None, ""):
        return "—"
    return kinds.show(Decimal(str(value)))


@register.filter
def moment(value) -> str:
    """An instant in the county's time; a deadline at midnight reads 24时 of the day before."""
    return documents.moment(value) if value else "—"


@register.filter
def occurred(value) -> str:
    """An instant something happened at; midnight reads 00:00 of its own day."""
    return periods.occurred(value) if value else "—"


@register.filter
def of_kind(names_by_kind, kind) -> list:
    """The names of one kind of unit (乡镇, 部门) in a red and black list's lists."""
    return (names_by_kind or {}).get(kind, [])
