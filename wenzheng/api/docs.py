"""The OpenAPI docs page without a CDN.

django-ninja's Swagger page loads its scripts from a CDN unless "ninja" is in
INSTALLED_APPS; the site's Content-Security-Policy (scripts from our own origin only)
would block that anyway. So the page is our own template, and the Swagger UI files
that ship inside the django-ninja package are served by a small view of ours.
"""

import json
import mimetypes
from pathlib import Path

import ninja
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from ninja.openapi.docs import DocsBase

ASSETS = Path(ninja.__file__).parent / "static" / "ninja"
SERVED = {"swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js", "favicon.png"}


class LocalSwagger(DocsBase):
    def render_page(self, request, api, **kwargs):
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        return render(
            request,
            "api/docs.html",
            {
                "api": api,
                "swagger_settings": json.dumps(settings),
                "assets": reverse("api:docs-asset", args=["x"])[:-1],
            },
        )


def asset(request, name):
    if name not in SERVED:
        raise Http404("没有这个文件")
    response = FileResponse((ASSETS / name).open("rb"), content_type=mimetypes.guess_type(name)[0])
    response["Cache-Control"] = "public, max-age=86400"
    return response
