"""Profile pages, plus allauth's provider URLs wrapped with its "login" rate limit.

allauth rate-limits its own login form but not the start of a third-party sign-in, which is
the only sign-in here. Each provider's ``<id>/login/`` is therefore served first from here,
through allauth's ``rate_limit(action="login")`` (counted in the default cache: Redis in
production). The callback needs no limit of its own: it only does outbound work for a state
that one of those rate-limited POSTs created, and each state works once. A provider with no
client id configured answers 404 instead of a server error.
"""

from __future__ import annotations

from functools import wraps

from allauth.decorators import rate_limit
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.http import Http404
from django.urls import path
from django.utils.module_loading import import_string

from accounts import views


def _configured_only(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except SocialApp.DoesNotExist:
            raise Http404("sign-in provider not configured") from None

    return guarded


def _provider_urls(provider: str) -> list:
    views_module = f"allauth.socialaccount.providers.{provider}.views"
    login = import_string(f"{views_module}.oauth2_login")
    callback = import_string(f"{views_module}.oauth2_callback")
    return [
        path(
            f"{provider}/login/",
            rate_limit(action="login")(_configured_only(login)),
            name=f"{provider}_login",
        ),
        path(
            f"{provider}/login/callback/", _configured_only(callback), name=f"{provider}_callback"
        ),
    ]


urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/delete/", views.delete, name="account_delete"),
]
for _provider in settings.OAUTH_PROVIDERS:
    urlpatterns += _provider_urls(_provider)
