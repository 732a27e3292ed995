from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from catchmind.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("game.urls")),
    path("", include("game.page_urls")),
    path("gallery/", include("gallery.urls")),
    # Sign-in: our profile pages and rate-limited provider URLs first, then allauth's.
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
]

if settings.SERVE_STATIC:
    urlpatterns += [
        path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
