"""Serving an attachment: to those wenzheng.attachments.access lets see it, with its
own type, never sniffed, and never kept by a shared cache unless it is public."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .access import is_public, may_open
from .models import Attachment, storage

TRACKED = "tracked"  # the tracking codes a visitor proved with a passcode (wenzheng.public.views)


def serve(request, pk, thumbnail=False):
    attachment = get_object_or_404(Attachment.objects.select_related("message", "draft"), pk=pk)
    if not may_open(request, attachment, tracked_codes=request.session.get(TRACKED, {})):
        raise Http404(_("没有这个附件"))
    name = attachment.thumbnail if thumbnail else attachment.file
    if not name:
        raise Http404(_("没有这个附件"))
    try:
        handle = storage().open(name, "rb")
    except FileNotFoundError:
        raise Http404(_("附件文件已不存在")) from None
    image = attachment.is_image
    response = FileResponse(
        handle,
        content_type="image/jpeg" if thumbnail else attachment.content_type,
        as_attachment=not image,  # a PDF is downloaded, never rendered inside our site
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A file may stop being public (withheld, hidden by review): shared caches keep
    # only the public ones, and not for long.
    response["Cache-Control"] = "public, max-age=300" if is_public(attachment) else "private, no-store"
    if image:
        # An image opened on its own runs nothing, even if a browser were tricked.
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
