"""The HTTP API of rooms (docs/protocol.md §1): thin views over game.actions and game.state."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from accounts.identity import identity_for, set_nickname
from game import actions
from game.actions import GameError
from game.forms import settings_of
from game.models import Room, WordPack
from game.state import Scene, player_json

LOBBY_LIMIT = 100


def _json_body(request: HttpRequest) -> object:
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return None


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _identity(request: HttpRequest):
    """The caller's identity; makes sure a guest's id is stored (and the cookie set)."""
    identity = identity_for(request.session, request.user)
    if request.session.modified:
        request.session.save()
    return identity


@require_GET
@ensure_csrf_cookie
def me(request: HttpRequest) -> JsonResponse:
    identity = _identity(request)
    return JsonResponse(
        {"name": identity.name, "is_guest": identity.is_guest, "user_id": identity.user_id}
    )


@require_POST
def nickname(request: HttpRequest) -> JsonResponse:
    body = _json_body(request)
    raw = body.get("nickname") if isinstance(body, dict) else None
    try:
        name = set_nickname(request.session, raw)
    except ValidationError as exc:
        errors = [{"code": exc.code or "invalid", "message": " ".join(exc.messages)}]
        return JsonResponse({"errors": {"nickname": errors}}, status=400)
    return JsonResponse(
        {"name": _identity(request).name if request.user.is_authenticated else name}
    )


@require_GET
def wordpacks(request: HttpRequest) -> JsonResponse:
    packs = WordPack.objects.filter(enabled=True).annotate(count=Count("words"))
    language = request.GET.get("language")
    if language:
        packs = packs.filter(language=language)
    return JsonResponse(
        {
            "packs": [
                {"slug": p.slug, "name": p.name, "language": p.language, "words": p.count}
                for p in packs
            ]
        }
    )


def room_info(room: Room, *, for_host: bool = False) -> dict:
    """A room as the lobby and the invite page see it; custom words only for its host."""
    scene = Scene.load(room)
    return {
        "code": room.code,
        "url": f"/r/{room.code}",
        "websocket": f"/ws/rooms/{room.code}/",
        "phase": room.phase,
        "round": room.round_number,
        "settings": settings_of(room, with_words=for_host),
        "players": [
            {key: value for key, value in player_json(p, scene).items() if key != "guessed"}
            for p in scene.players
        ],
        "full": len(scene.players) >= room.max_players,
    }


def rooms(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        return _create_room(request)
    if request.method != "GET":
        return _error("method_not_allowed", _("Use GET or POST."), 405)
    present = Q(players__left_at__isnull=True)
    listed = (
        Room.objects.filter(is_public=True)
        .annotate(
            seated=Count("players", filter=present),
            online=Count(
                "players",
                filter=present & Q(players__is_ai=False) & ~Q(players__connection_id=""),
            ),
        )
        .filter(online__gt=0)
        .select_related("host")
        .order_by("-seated", "-updated_at")[:LOBBY_LIMIT]
    )
    return JsonResponse(
        {
            "rooms": [
                {
                    "code": room.code,
                    "host": room.host.name if room.host else "",
                    "language": room.language,
                    "players": room.seated,
                    "max_players": room.max_players,
                    "phase": room.phase,
                    "round": room.round_number,
                    "rounds": room.rounds,
                    "ai_enabled": room.ai_enabled,
                    "full": room.seated >= room.max_players,
                }
                for room in listed
            ]
        }
    )


def _create_room(request: HttpRequest) -> JsonResponse:
    body = _json_body(request)
    if not isinstance(body, dict):
        return JsonResponse(
            {"errors": {"__all__": [{"code": "bad_json", "message": _("Send a JSON object.")}]}},
            status=400,
        )
    language = (get_language() or "ko")[:2]
    try:
        room = actions.create_room(_identity(request), body, language)
    except GameError as exc:
        return JsonResponse({"errors": exc.errors or {}}, status=400)
    return JsonResponse({"room": room_info(room, for_host=True)}, status=201)


@require_GET
def room_detail(request: HttpRequest, code: str) -> JsonResponse:
    _identity(request)
    room = Room.objects.filter(code=code).first()
    if room is None:
        return _error("not_found", _("This room does not exist."), 404)
    actions.tick(room.pk)
    room.refresh_from_db()
    return JsonResponse(room_info(room))
