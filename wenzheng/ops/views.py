from django.db import connections
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from . import replica


@never_cache
@csrf_exempt
def health(request):
    """For the proxy and the service manager: the process answers. It touches no
    database on purpose (a liveness check), and is the benchmarks' bare Django view."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@csrf_exempt
def ready(request):
    """For a load balancer: the process answers and can reach its database (503 when
    it cannot), and says whether the replica, where there is one, answers too (reads
    fall back to the primary while it does not, so that is no reason to stop sending)."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any failure to reach it: not ready
        return HttpResponse("database unavailable", content_type="text/plain", status=503)
    state = ("replica up" if replica.available() else "replica down") if replica.configured() else "no replica"
    return HttpResponse(f"ok; database up; {state}", content_type="text/plain")


def server_error(request):
    """The 500 page, with the request id that finds the log line. Standalone (no base
    template, no database): whatever broke may break a richer page too."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": getattr(request, "id", "")}))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without its page's token (the page open too long,
    the cookies cleared, an in-app browser that dropped them) or from another site.
    Django's own page is bare and says to turn DEBUG on; this one says what happened
    in the site's words and leads back to the form (its address, opened afresh, shows
    it again with a new token)."""
    # Django's CSRF middleware has logged the refusal and its reason (django.security.csrf).
    return render(request, "403_csrf.html", {"again": request.get_full_path()}, status=403)
