"""Admin of the AI player: every AI call with totals per day, and each room's AI seat.

Registered from ``game/admin.py`` (``from game.ai import admin as ai_admin``).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from game.ai.records import AICall, AIOutcome, AIRoomState

TOTALS_DAYS = 30


def daily_totals(queryset, days: int = TOTALS_DAYS) -> list[dict]:
    """Per day (server time zone) and backend: calls, outcomes, latency and tokens."""
    since = timezone.now() - dt.timedelta(days=days)
    per_outcome = {
        outcome.value: Count("id", filter=Q(outcome=outcome.value)) for outcome in AIOutcome
    }
    rows = (
        queryset.filter(created__gte=since)
        .annotate(day=TruncDate("created", tzinfo=timezone.get_current_timezone()))
        .values("day", "backend")
        .annotate(
            calls=Count("id"),
            avg_latency=Avg("latency_ms", filter=~Q(outcome=AIOutcome.OVER_BUDGET)),
            prompt_tokens=Sum("prompt_tokens"),
            completion_tokens=Sum("completion_tokens"),
            **per_outcome,
        )
        .order_by("-day", "backend")
    )
    out = []
    for row in rows:
        row["avg_latency"] = round(row["avg_latency"]) if row["avg_latency"] is not None else None
        row["tokens"] = (row["prompt_tokens"] or 0) + (row["completion_tokens"] or 0)
        row["outcomes"] = [row[o.value] for o in AIOutcome]
        out.append(row)
    return out


@admin.register(AICall)
class AICallAdmin(admin.ModelAdmin):
    list_display = (
        "created",
        "room",
        "turn_id",
        "backend",
        "model",
        "outcome",
        "latency_ms",
        "tokens",
        "top_guess",
    )
    list_filter = ("backend", "outcome", "model", "created")
    date_hierarchy = "created"
    search_fields = ("room__code", "model", "detail")
    list_select_related = ("room",)
    readonly_fields = [f.name for f in AICall._meta.fields]
    actions = ["show_totals"]
    change_list_template = "admin/game/aicall/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("tokens"))
    def tokens(self, obj: AICall):
        return obj.tokens

    @admin.display(description=_("top guess"))
    def top_guess(self, obj: AICall):
        if not obj.guesses:
            return "-"
        best = obj.guesses[0]
        return f"{best.get('word')} ({best.get('confidence', 0):.0%})"

    def get_urls(self):
        urls = super().get_urls()
        totals = path(
            "totals/",
            self.admin_site.admin_view(self.totals_view),
            name="game_aicall_totals",
        )
        return [totals, *urls]

    def totals_view(self, request, queryset=None):
        base = queryset if queryset is not None else AICall.objects.all()
        backend = request.GET.get("backend")
        if backend:
            base = base.filter(backend=backend)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("AI calls: totals per day"),
            "rows": daily_totals(base),
            "outcomes": [o.label for o in AIOutcome],
            "days": TOTALS_DAYS,
            "changelist_url": reverse("admin:game_aicall_changelist"),
        }
        return TemplateResponse(request, "admin/game/aicall/totals.html", context)

    @admin.action(description=_("Totals per day of the selected AI calls"))
    def show_totals(self, request, queryset):
        return self.totals_view(request, AICall.objects.filter(pk__in=queryset.values("pk")))


@admin.register(AIRoomState)
class AIRoomStateAdmin(admin.ModelAdmin):
    """The AI seat of each room: which backend it really uses and why."""

    list_display = (
        "room",
        "configured_backend",
        "backend",
        "budget_fallback",
        "turn_id",
        "calls",
        "said_count",
        "updated",
    )
    list_filter = ("backend", "fallback")
    search_fields = ("room__code",)
    list_select_related = ("room",)
    readonly_fields = [f.name for f in AIRoomState._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("room's backend"))
    def configured_backend(self, obj: AIRoomState):
        from game.ai.guessers import effective_backend

        return effective_backend(obj.room.ai_backend)

    @admin.display(description=_("budget fallback"))
    def budget_fallback(self, obj: AIRoomState):
        if not obj.fallback:
            return "-"
        since = timezone.localtime(obj.fallback_since) if obj.fallback_since else None
        return format_html(
            '<strong style="color:#b45309">{}</strong>{}',
            _("over budget: local model"),
            f" ({since:%Y-%m-%d %H:%M})" if since else "",
        )


def with_ai_fallback(rooms):
    """Rooms with ``ai_fallback``, their AI seat's fallback (``None`` without a seat), read in
    the same query (a left join), for :func:`room_ai_status`."""
    return rooms.annotate(ai_fallback=F("ai_state__fallback"))


@admin.display(description=_("AI"))
def room_ai_status(room) -> str:
    """Room list column: the AI seat's backend, and a warning while it is over budget.

    Reads ``ai_fallback`` from :func:`with_ai_fallback`; a room without it costs a query."""
    if not room.ai_enabled:
        return "-"
    from game.ai.guessers import effective_backend

    if hasattr(room, "ai_fallback"):
        fallback = room.ai_fallback
    else:
        fallback = AIRoomState.objects.filter(room_id=room.pk).values_list("fallback", flat=True)
        fallback = fallback.first()
    label = f"{room.get_ai_difficulty_display()} · {effective_backend(room.ai_backend)}"
    if fallback:
        return format_html(
            '{} <strong style="color:#b45309">{}</strong>', label, _("over budget: local model")
        )
    return label
