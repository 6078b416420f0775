"""Public pages of the 网络问政 zone. The full set comes with the web interface; for
now the home page and the statistics page that publishes the quarterly summary."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from wenzheng.reports import figures, periods
from wenzheng.units.models import Region


def home(request):
    return render(request, "public/home.html", {"regions": Region.objects.all()})


def statistics(request):
    now = timezone.now()
    code = request.GET.get("region")
    region = get_object_or_404(Region, code=code) if code else Region.objects.default()
    today = timezone.localdate(now)
    default = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    text = request.GET.get("period") or default
    try:
        period = periods.parse(text)
        error = ""
    except periods.BadPeriod as e:
        period, error = periods.parse(default), str(e)
    result = figures.compute(region, period, now=now) if region else None
    return render(
        request,
        "public/statistics.html",
        {"region": region, "regions": Region.objects.all(), "figures": result, "period_text": text, "error": error},
        status=400 if error else 200,
    )
