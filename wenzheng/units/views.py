"""The unit picker's search (wenzheng.units.forms): the units of a region whose name
holds what was typed, twenty at most, for a box that searches as one types."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from .forms import label
from .models import Region, Unit

LIMIT = 20


@require_GET
def search(request):
    region = get_object_or_404(Region, code=request.GET.get("region", ""))
    typed = "".join(request.GET.get("q", "").split())[:50]
    units = Unit.objects.in_region(region).select_related("region").order_by("kind", "name", "pk")
    if typed:
        units = units.filter(name__icontains=typed)
    found = list(units[: LIMIT + 1])
    with_county = region.kind == Region.Kind.CITY
    response = JsonResponse(
        {
            "results": [
                {"id": u.pk, "name": u.name, "county": u.region.name, "label": label(u, with_county=with_county)}
                for u in found[:LIMIT]
            ],
            "more": len(found) > LIMIT,
        },
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "public, max-age=300"  # units change rarely; names are public
    return response
