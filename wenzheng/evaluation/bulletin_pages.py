"""A bulletin as its pages show it: the office's working page, the public page, and
the copy of the public body kept when the bulletin is published (PublishedBulletin.body),
so that what the public reads never moves after publication."""

from django.template.loader import render_to_string

from wenzheng.reports import charts, figures

from . import documents


def context(found) -> dict:
    """What _bulletin_body.html needs besides the bulletin itself (`b`)."""
    late = found.late_by_unit
    return {
        "b": found,
        "span": documents.span(found),
        "trend_chart": charts.monthly_trend(found.months),
        "category_chart": charts.category_mix(found.figures.by_category),
        "rates_chart": charts.unit_rates(found.units_with_messages),
        "units": [
            {
                "unit": u.unit,
                "name": found.unit_label(u.unit),
                "received": u.received,
                "replied": u.replied,
                "reply_rate": u.reply_rate,
                "closed": u.closed,
                "closure_rate": u.closure_rate,
                "late": late[u.unit.pk],
            }
            for u in found.units_with_messages
        ],
        "definitions": documents.DEFINITIONS,
        "monthly_note": figures.MONTHLY_NOTE,
    }


def public_body(found) -> str:
    """The bulletin's body as the public reads it (no message titles), rendered."""
    return render_to_string("evaluation/_bulletin_body.html", {**context(found), "public": True})
