"""The page where a signed-in person creates and revokes their API tokens."""

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from wenzheng.lib.formtext import NamedLimits
from wenzheng.security import audit

from .models import ApiToken


class TokenForm(NamedLimits, forms.Form):
    name = forms.CharField(label="用途", max_length=60, help_text="如“市12345平台对接”，便于日后辨认和吊销。")


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            row, token = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
            audit.record(audit.Kind.TOKEN_ISSUED, user=request.user, request=request, detail={"token": row.prefix})
        # Shown once, on the next page; only its digest is stored.
        request.session["new_token"] = token
        return redirect("api:tokens")
    context = {
        "form": form,
        "new_token": request.session.pop("new_token", None),
        "tokens": ApiToken.objects.filter(user=request.user),
    }
    return render(request, "api/tokens.html", context)


@login_required
@require_POST
def revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    with transaction.atomic():
        revoked = token.revoke()
        if revoked:
            audit.record(audit.Kind.TOKEN_REVOKED, user=request.user, request=request, detail={"token": token.prefix})
    if revoked:
        flash.success(request, f"令牌 {token.prefix}… 已吊销，使用它的请求将被拒绝。")
    return redirect("api:tokens")
