from wenzheng.units.models import Region


def site(request):
    """The zone's name in every page's header: the county's, or the city's."""
    region = Region.objects.default()
    return {"site_name": f"{region.name}网络问政" if region else "网络问政"}
