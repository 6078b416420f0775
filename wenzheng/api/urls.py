"""The JSON API (/api/v1/), its token page, and Open311 GeoReport v2 (/open311/v2/)."""

from django.urls import path, re_path

from . import docs, open311, views
from .v1 import api

app_name = "api"
urlpatterns = [
    path("api/v1/", api.urls),
    path("api/docs-assets/<str:name>", docs.asset, name="docs-asset"),
    path("api/tokens/", views.tokens, name="tokens"),
    path("api/tokens/<int:pk>/revoke/", views.revoke, name="revoke"),
    re_path(r"^open311/v2/discovery\.(?P<fmt>json|xml)$", open311.discovery, name="open311-discovery"),
    re_path(r"^open311/v2/services\.(?P<fmt>json|xml)$", open311.services, name="open311-services"),
    re_path(r"^open311/v2/services/(?P<code>[\w-]+)\.(?P<fmt>json|xml)$", open311.service, name="open311-service"),
    re_path(r"^open311/v2/requests\.(?P<fmt>json|xml)$", open311.requests, name="open311-requests"),
    re_path(r"^open311/v2/requests/(?P<rid>[\w-]+)\.(?P<fmt>json|xml)$", open311.request, name="open311-request"),
]
