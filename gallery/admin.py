"""Moderation: drawings (hide, unhide, review, unpublish in bulk) and the report queue."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gallery.models import HEAVY_FIELDS, Drawing, Like, Report


def _review(queryset, *, hidden: bool) -> int:
    """Close the open reports of these drawings and set their visibility."""
    now = timezone.now()
    ids = list(queryset.values_list("pk", flat=True))
    Report.objects.filter(drawing_id__in=ids, resolved_at__isnull=True).update(resolved_at=now)
    return Drawing.objects.filter(pk__in=ids).update(
        is_hidden=hidden, hidden_reason="moderator" if hidden else "", reviewed_at=now
    )


class OpenReportsFilter(admin.SimpleListFilter):
    title = _("open reports")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", _("with open reports")), ("no", _("without open reports"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(open_reports__gt=0)
        if self.value() == "no":
            return queryset.filter(open_reports=0)
        return queryset


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    fields = ("reporter", "reason", "created_at", "resolved_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Drawing)
class DrawingAdmin(admin.ModelAdmin):
    list_display = (
        "picture",
        "__str__",
        "word",
        "language",
        "drawer",
        "is_published",
        "is_hidden",
        "open_reports",
        "likes",
        "created_at",
    )
    list_display_links = ("picture", "__str__")
    list_filter = (
        OpenReportsFilter,
        "is_hidden",
        "hidden_reason",
        "is_published",
        "language",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("title", "word", "drawer_name", "room_code")
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ("hide", "unhide", "unpublish")
    inlines = [ReportInline]
    exclude = (*HEAVY_FIELDS, "image", "thumbnail", "animation")  # shown as links, below
    readonly_fields = (
        "preview",
        "turn",
        "room",
        "room_code",
        "user",
        "guest_id",
        "drawer_name",
        "drawer_deleted",
        "word",
        "language",
        "category",
        "end_reason",
        "started_at",
        "ended_at",
        "duration_ms",
        "op_count",
        "point_count",
        "image_file",
        "thumbnail_file",
        "animation_file",
        "published_at",
        "reviewed_at",
        "created_at",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer(*HEAVY_FIELDS)
            .select_related("user")
            .annotate(
                open_reports=Count(
                    "reports", filter=Q(reports__resolved_at__isnull=True), distinct=True
                ),
                likes_count=Count("likes", distinct=True),
            )
        )

    @admin.display(description=_("picture"))
    def picture(self, obj):
        url = reverse("gallery:thumb", args=[obj.pk, obj.token])
        return format_html('<img src="{}" alt="" width="120" height="90" loading="lazy">', url)

    @admin.display(description=_("picture"))
    def preview(self, obj):
        url = reverse("gallery:png", args=[obj.pk, obj.token])
        return format_html('<img src="{}" alt="" width="400" height="300">', url)

    # The stored files are shown by name, linked to the gallery's views (which let staff see
    # private and hidden drawings): MEDIA_ROOT is not served under a URL of its own.
    def _file(self, obj, field: str, url_name: str):
        name = getattr(obj, field).name
        if not name:
            return "-"
        url = reverse(f"gallery:{url_name}", args=[obj.pk, obj.token])
        return format_html('<a href="{}">{}</a>', url, name)

    @admin.display(description=Drawing._meta.get_field("image").verbose_name)
    def image_file(self, obj):
        return self._file(obj, "image", "png")

    @admin.display(description=Drawing._meta.get_field("thumbnail").verbose_name)
    def thumbnail_file(self, obj):
        return self._file(obj, "thumbnail", "thumb")

    @admin.display(description=Drawing._meta.get_field("animation").verbose_name)
    def animation_file(self, obj):
        return self._file(obj, "animation", "gif")

    @admin.display(description=_("drawer"), ordering="drawer_name")
    def drawer(self, obj):
        suffix = "" if obj.user_id else " (guest)"
        return f"{obj.drawer_name}{suffix}"

    @admin.display(description=_("open reports"), ordering="open_reports")
    def open_reports(self, obj):
        return obj.open_reports

    @admin.display(description=_("likes"), ordering="likes_count")
    def likes(self, obj):
        return obj.likes_count

    @admin.action(description=_("Hide the selected drawings (and close their reports)"))
    def hide(self, request, queryset):
        count = _review(queryset, hidden=True)
        self.message_user(
            request, ngettext("%d drawing hidden.", "%d drawings hidden.", count) % count
        )

    @admin.action(description=_("Show the selected drawings again (and close their reports)"))
    def unhide(self, request, queryset):
        count = _review(queryset, hidden=False)
        self.message_user(
            request, ngettext("%d drawing shown.", "%d drawings shown.", count) % count
        )

    @admin.action(description=_("Unpublish the selected drawings"))
    def unpublish(self, request, queryset):
        count = Drawing.objects.filter(pk__in=queryset.values("pk")).update(is_published=False)
        self.message_user(
            request,
            ngettext("%d drawing unpublished.", "%d drawings unpublished.", count) % count,
            messages.SUCCESS,
        )


class ResolvedFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", _("open")), ("resolved", _("resolved"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The report queue: open reports first, filter by reason and by the drawing's state."""

    list_display = ("drawing_link", "reason", "reporter", "created_at", "resolved_at", "hidden")
    list_filter = (ResolvedFilter, "reason", "drawing__is_hidden", "drawing__hidden_reason")
    list_select_related = ("drawing", "reporter")
    search_fields = ("drawing__title", "drawing__word", "reporter__username")
    date_hierarchy = "created_at"
    actions = ("hide_drawings", "keep_drawings")
    readonly_fields = ("drawing", "reporter", "reason", "created_at", "resolved_at")

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*(f"drawing__{f}" for f in HEAVY_FIELDS))

    def get_ordering(self, request):
        return [F("resolved_at").asc(nulls_first=True), "-created_at"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("drawing"))
    def drawing_link(self, obj):
        url = reverse("admin:gallery_drawing_change", args=[obj.drawing_id])
        thumb = reverse("gallery:thumb", args=[obj.drawing_id, obj.drawing.token])
        return format_html(
            '<a href="{}"><img src="{}" alt="" width="80" height="60"> {}</a>',
            url,
            thumb,
            obj.drawing,
        )

    @admin.display(description=_("hidden"), boolean=True)
    def hidden(self, obj):
        return obj.drawing.is_hidden

    @admin.action(description=_("Reviewed: hide these drawings"))
    def hide_drawings(self, request, queryset):
        drawings = Drawing.objects.filter(pk__in=queryset.values("drawing_id"))
        count = _review(drawings, hidden=True)
        self.message_user(
            request, ngettext("%d drawing hidden.", "%d drawings hidden.", count) % count
        )

    @admin.action(description=_("Reviewed: keep these drawings visible"))
    def keep_drawings(self, request, queryset):
        drawings = Drawing.objects.filter(pk__in=queryset.values("drawing_id"))
        count = _review(drawings, hidden=False)
        self.message_user(
            request, ngettext("%d drawing shown.", "%d drawings shown.", count) % count
        )


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ("drawing", "user", "created_at")
    list_select_related = ("drawing", "user")
    raw_id_fields = ("drawing", "user")

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*(f"drawing__{f}" for f in HEAVY_FIELDS))
