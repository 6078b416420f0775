from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt


@never_cache
@csrf_exempt
def health(request):
    """For the proxy and the service manager: the process answers. It touches no
    database on purpose (a liveness check), and is the benchmarks' bare Django view."""
    return HttpResponse("ok", content_type="text/plain")


def server_error(request):
    """The 500 page, with the request id that finds the log line. Standalone (no base
    template, no database): whatever broke may break a richer page too."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": getattr(request, "id", "")}))
