"""留言查询: every message of a county (for its office) or of a city's counties (for
the city office), searched and filtered as the public board is, over every state.

The county office searches the texts as written and the citizens' contact fields;
the city office, kept from citizens' details, searches and reads the texts masked
(accounts.policy.search_audience)."""

from django.http import Http404
from django.utils.translation import gettext as _

from wenzheng.accounts.policy import search_audience
from wenzheng.handling.models import Message
from wenzheng.lib import paging
from wenzheng.privacy.public import mask_for_reader
from wenzheng.public.forms import BoardFilterForm
from wenzheng.search.highlights import mark_as_read, prefetch_texts

from ..access import city_for, city_staff_only, county_for, county_staff_only
from .common import PAGE_SIZE, page

SEARCH_RESULTS_SHOWN = 1000


def _results(request, messages, region):
    form = BoardFilterForm(request.GET or None, region=region)
    form.fields["status"].choices = [("", _("全部状态")), *Message.State.choices]
    messages = messages.select_related("unit", "category", "region", "citizen")
    found = form.apply(messages, audience=search_audience(request.user)) if form.is_valid() else None
    if found is None:
        found = messages.order_by("-submitted_at", "-pk")
    query = form.query
    # Paged and counted as the public board is: by number up to a bound, then on
    # "before this one"; by relevance through the best SEARCH_RESULTS_SHOWN.
    try:
        listed = paging.search_results(
            request, found, query, ranked=form.ranked, size=PAGE_SIZE, shown_at_most=SEARCH_RESULTS_SHOWN
        )
    except paging.BadCursor:
        raise Http404(_("翻页位置不正确")) from None
    rows = list(listed["page"].object_list)
    if query is not None:
        prefetch_texts(rows)
    mask_for_reader(request.user, rows)  # the city office reads the texts masked
    mark_as_read(rows, query, audience=search_audience(request.user))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("before", None)
    return {**listed, "form": form, "rows": rows, "query": params.urlencode()}


@county_staff_only
def county_messages(request, code):
    county = county_for(request.user, code)
    messages = Message.objects.visible_to(request.user).filter(region=county)
    context = {"section": "messages", "county": county, "scope": county, **_results(request, messages, county)}
    return page(request, "workspace/messages.html", context)


@city_staff_only
def city_messages(request, code):
    city = city_for(request.user, code)
    messages = Message.objects.visible_to(request.user).filter(region__parent=city)
    context = {"section": "city-messages", "city": city, "scope": city, **_results(request, messages, city)}
    return page(request, "workspace/messages.html", context)
