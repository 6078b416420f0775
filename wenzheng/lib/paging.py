"""Lists that do not count the world: the board, the API and Open311.

A page of a list of 640,000 public messages costs as much as its 20 rows when it is
read through an index in the list's order (wenzheng.handling.models, the
`message_published_*` indexes); counting all 640,000 of them for "共N条" costs
seconds. So the count stops at COUNT_LIMIT (SELECT COUNT(*) over a LIMIT), page
numbers reach that far, and past it the list goes on "before this one" (keyset):
`before=<submitted_at>~<pk>` reads the next rows through the same index however deep,
for the newest-first order. An order by relevance (a search) has no such key: it
pages by number up to the bound, which is what a search needs.

Staff lists page with `page_of`: Django's Paginator.get_page sends an out-of-range
number (page=0, -1, or past the end) to the last page, where a person who asked for
page 0 expects the first; here a page that does not exist shows page 1, or the last
page for a number past the end, with a note.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages as flash
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

COUNT_LIMIT = 10_000


class BoundedPaginator(Paginator):
    """A Paginator whose count stops at `limit` (`more` says whether there were more)."""

    def __init__(self, object_list, per_page, *, limit=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.limit = limit or COUNT_LIMIT
        self.more = False

    @cached_property
    def count(self):
        count, self.more = bounded_count(self.object_list, limit=self.limit)
        return count


def bounded_count(found, *, limit=None) -> tuple[int, bool]:
    """How many rows `found` has, counted no further than `limit` (COUNT_LIMIT), and
    whether there are more: "超过10000条", never a count of a city's every match."""
    limit = limit or COUNT_LIMIT
    # Without the order: which rows make up the first limit + 1 does not change how
    # many there are, and with it SQLite sorted every one of them first (a temporary
    # B-tree over 10,001 rows: 40–55 ms of the board's 100 at 1M). (A search's order
    # is its own, and a new order_by() drops it.)
    if not found.query.is_sliced:  # a search's results come already cut
        found = found.order_by()
    counted = found[: limit + 1].count()
    return min(counted, limit), counted > limit


def cursor(message) -> str:
    """The key of the last row of a page, for the next page's `before`."""
    return f"{message.submitted_at.isoformat()}~{message.pk}"


def before(messages, text: str):
    """The newest-first messages older than the cursor; None when it is malformed."""
    try:
        at_text, pk_text = text.rsplit("~", 1)
        at, pk = dt.datetime.fromisoformat(at_text.replace(" ", "+")), int(pk_text)
    except ValueError:
        return None
    if at.tzinfo is None:
        return None
    return messages.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=pk))


class BadCursor(ValueError):
    """A `before` that is not a cursor this module wrote."""


@dataclass
class Listing:
    """One page of a list: numbered (up to the bound) or "before this one"."""

    object_list: list
    number: int | None  # None on a page reached by `before`
    pages: int | None
    count: int | None  # counted up to COUNT_LIMIT
    more: bool  # more rows than counted
    next_page: int | None
    previous_page: int | None
    next_before: str | None  # where the list goes on once the numbers end

    # How many page numbers a pager links either side of this one.
    AROUND = 2

    def numbers(self, around: int = AROUND) -> list[int | None]:
        """The page numbers a pager links: the first, the last, and `around` either
        side of this one, with None where numbers are left out (…)."""
        if self.number is None or not self.pages or self.pages < 2:
            return []
        shown = {1, self.pages, *range(max(1, self.number - around), min(self.pages, self.number + around) + 1)}
        out: list[int | None] = []
        for n in sorted(shown):
            if out and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out

    @property
    def far_numbers(self) -> set[int]:
        """Of numbers(), those a phone's pager leaves out to fit one line: the
        farthest either side of this page (never the first or the last)."""
        if self.number is None or not self.pages:
            return set()
        return {n for n in (self.number - self.AROUND, self.number + self.AROUND) if 1 < n < self.pages}

    @property
    def far_beside_ends(self) -> set[int]:
        """Of far_numbers, those next to the first or the last page: a phone shows
        "…" in their place, as numbers() does where it leaves some out."""
        return {n for n in self.far_numbers if n in (2, self.pages - 1)}


def listing(found, *, page, size, before_text="", keyset=True, request=None) -> Listing:
    """A page of `found` (newest first when `keyset`): by number, or after a cursor.
    With `request`, a page that does not exist shows page 1 with a note (as `page_of`)."""
    if before_text:
        older = before(found, before_text) if keyset else None
        if older is None:
            raise BadCursor(before_text)
        rows = list(older[: size + 1])
        more = len(rows) > size
        return Listing(rows[:size], None, None, None, more, None, None, cursor(rows[size - 1]) if more else None)
    paginator = BoundedPaginator(found, size)
    current = paginator.get_page(page) if request is None else _page_or_first(request, paginator, page)
    rows = list(current.object_list)
    next_before = cursor(rows[-1]) if keyset and rows and not current.has_next() and paginator.more else None
    return Listing(
        rows,
        current.number,
        paginator.num_pages,
        paginator.count,
        paginator.more,
        current.next_page_number() if current.has_next() else None,
        current.previous_page_number() if current.has_previous() else None,
        next_before,
    )


def search_results(request, found, query, *, ranked: bool, size: int, shown_at_most: int) -> dict:
    """A page of a list that may be a search (the board, 留言查询), for the template.
    Newest first (no query, or a search by date) it pages as `listing` does: by
    number as far as the count goes, then "before this one". By relevance it pages
    by number through the best `shown_at_most` (a page deep in a ranking is read by
    skipping the rest: the filters, a narrower search or the order by date reach the
    others). A search's matches are counted as far as COUNT_LIMIT ("超过10000条")."""
    ranked = query is not None and ranked
    page = listing(
        found[:shown_at_most] if ranked else found,
        page=request.GET.get("page"),
        size=size,
        before_text=request.GET.get("before", ""),
        keyset=not ranked,
        request=request,
    )
    total, more = (page.count, page.more) if query is not None else (None, False)
    if ranked:
        total, more = bounded_count(found)
    return {
        "page": page,
        "search": query,
        "ranked": ranked,
        "found": total,
        "found_more": more,
        "shown_at_most": shown_at_most,
    }


def page_of(request, items, per_page: int, *, param: str = "page") -> Page:
    return _page_or_first(request, Paginator(items, per_page), request.GET.get(param))


def _page_or_first(request, paginator, asked) -> Page:
    """The page asked for; with a note when there is no such page, the last page for
    a number past it (a link kept while the list shrank), page 1 for anything else."""
    if asked in (None, "", "1"):
        return paginator.page(1)
    try:
        return paginator.page(asked)
    except (InvalidPage, TypeError, ValueError):
        pass
    shown = str(asked)[:12]
    try:
        past_the_end = int(asked) > paginator.num_pages > 1
    except (TypeError, ValueError):
        past_the_end = False
    if past_the_end:
        last = paginator.num_pages
        flash.info(request, _("没有第%(page)s页，已显示最后一页（第%(last)s页）。") % {"page": shown, "last": last})
        return paginator.page(last)
    flash.info(request, _("没有第%(page)s页，已显示第1页。") % {"page": shown})
    return paginator.page(1)
