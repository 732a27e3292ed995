from django.contrib import admin
from django.urls import include, path

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

# No /media/ route: the only files in MEDIA_ROOT are the gallery's pictures, served by the
# gallery's views with their access checks (docs/gallery.md), never by file address.
