"""Operators look at rooms, turns and guesses, and edit word packs, in the Django admin."""

from __future__ import annotations

from django.contrib import admin

# Importing game.ai.admin also registers the AI calls and seats.
from game.ai.admin import room_ai_status, with_ai_fallback
from game.models import Guess, Message, Player, Room, Turn, Word, WordPack


class PlayerInline(admin.TabularInline):
    model = Player
    extra = 0
    fields = ("name", "is_ai", "user", "guest_id", "score", "connection_id", "left_at", "kicked")
    readonly_fields = ("connection_id",)
    raw_id_fields = ("user",)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "phase",
        "is_public",
        "language",
        "round_number",
        "rounds",
        room_ai_status,
        "updated_at",
    )
    list_filter = ("phase", "is_public", "language", "ai_enabled")
    search_fields = ("code", "players__name")
    readonly_fields = ("code", "created_at", "updated_at", "version", "current_turn", "host")
    filter_horizontal = ("packs",)
    inlines = [PlayerInline]

    def get_queryset(self, request):
        return with_ai_fallback(super().get_queryset(request))


class GuessInline(admin.TabularInline):
    model = Guess
    extra = 0
    fields = ("player", "text", "verdict", "elapsed_ms", "points", "order")
    readonly_fields = fields
    can_delete = False


@admin.register(Turn)
class TurnAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "room",
        "word",
        "language",
        "drawer",
        "end_reason",
        "op_count",
        "ended_at",
    )
    list_filter = ("language", "end_reason")
    search_fields = ("word", "category", "room__code")
    date_hierarchy = "created_at"
    raw_id_fields = ("room", "drawer", "word_ref")
    inlines = [GuessInline]


@admin.register(Guess)
class GuessAdmin(admin.ModelAdmin):
    list_display = ("text", "verdict", "player", "turn", "points", "created_at")
    list_filter = ("verdict",)
    search_fields = ("text", "player__name", "turn__word")
    raw_id_fields = ("turn", "player")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "audience", "player", "room", "created_at")
    list_filter = ("kind", "audience")
    search_fields = ("text", "player__name", "room__code")
    raw_id_fields = ("room", "turn", "player")


class WordInline(admin.TabularInline):
    model = Word
    extra = 1
    fields = ("text", "category", "synonyms", "difficulty", "language")


@admin.register(WordPack)
class WordPackAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "language", "builtin", "enabled")
    list_filter = ("language", "builtin", "enabled")
    search_fields = ("name", "slug", "words__text")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [WordInline]


@admin.register(Word)
class WordAdmin(admin.ModelAdmin):
    list_display = ("text", "category", "language", "difficulty", "pack")
    list_filter = ("language", "difficulty", "pack")
    search_fields = ("text", "category", "synonyms")
