from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.deletion import delete_account
from accounts.forms import DeleteAccountForm, ProfileForm
from accounts.profiles import ensure_profile
from accounts.stats import stats_for


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    profile = ensure_profile(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=profile)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your profile was saved."))
            return redirect("profile")
    else:
        form = ProfileForm(instance=profile)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "profile": profile, "stats": stats_for(request.user)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete(request):
    if request.method == "POST":
        form = DeleteAccountForm(request.POST)
        if form.is_valid():
            user = request.user
            delete_account(user, keep_drawings=form.keep_drawings)
            logout(request)
            messages.success(request, _("Your account and its personal data were deleted."))
            return redirect("/")
    else:
        form = DeleteAccountForm()
    return render(
        request, "accounts/delete.html", {"form": form}, status=400 if form.errors else 200
    )
