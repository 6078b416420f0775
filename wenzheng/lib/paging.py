"""One page of a long list, from the ?page= a person typed or followed.

Django's Paginator.get_page sends an out-of-range number (page=0, -1, or past the
end) to the last page, where a person who asked for page 0 expects the first. Here a
page that does not exist shows page 1, with a note that says so.
"""

from django.contrib import messages as flash
from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _


def page_of(request, items, per_page: int, *, param: str = "page") -> Page:
    paginator = Paginator(items, per_page)
    asked = request.GET.get(param)
    if asked in (None, "", "1"):
        return paginator.page(1)
    try:
        number = int(asked)
    except (TypeError, ValueError):
        number = None
    if number is None or not 1 <= number <= paginator.num_pages:
        flash.info(request, _("没有第%(page)s页，已显示第1页。") % {"page": asked[:12]})
        return paginator.page(1)
    return paginator.page(number)
