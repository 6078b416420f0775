"""What the workspace's views share."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from wenzheng.lib.formtext import bare_label
from wenzheng.reports import periods
from wenzheng.workdays import clock

PAGE_SIZE = 20


def page(request, template, context, *, status=200):
    """Render a workspace page, with the 工作台 menu item marked current."""
    return render(request, template, {"nav": "work", **context}, status=status)


def is_htmx(request) -> bool:
    """A fragment request from htmx; a history restore wants the whole page."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def page_or_fragment(request, template, fragment, context):
    response = page(request, fragment if is_htmx(request) else template, context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def errors_text(form) -> str:
    """A form's errors as one sentence, for a page that cannot show the form again."""
    parts = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label or "") if name in form.fields else ""
        # A message that names its box already ("签收说明不能超过500个字") is not prefixed.
        named = [e for e in errors if label and bare_label(label) in e]
        parts += [
            _("%(label)s：%(error)s") % {"label": label, "error": e} if label and e not in named else e for e in errors
        ]
    return pgettext("list separator", "；").join(parts)


def this_quarter(now) -> periods.Period:
    today = clock.local_date(now)
    return periods.quarter_of(today)
