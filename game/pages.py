"""HTML pages of the game: the lobby and a room.

The pages are thin shells. Everything live comes from the JSON API and the room's websocket
(docs/protocol.md); the page only hands the scripts their starting data through
``json_script`` (no inline scripts: see ``catchmind.middleware``) and the UI strings, already
translated by Django, so the scripts need no translation machinery of their own.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from accounts.identity import SESSION_NICKNAME, ensure_guest_id, identity_for

#: Choices of the room settings form (the ranges are those of docs/protocol.md).
MAX_PLAYERS = range(2, 13)
ROUNDS = range(1, 11)
DRAW_TIMES = (30, 45, 60, 80, 100, 120, 150, 180, 210, 240)
WORD_CHOICES = range(1, 6)
DEFAULTS = {
    "max_players": 8,
    "rounds": 3,
    "draw_time": 80,
    "word_choices": 3,
    "hints": True,
    "public": True,
    "ai_enabled": False,
    "ai_difficulty": "normal",
}


def settings_form_context(language: str) -> dict:
    return {
        "max_players_choices": MAX_PLAYERS,
        "rounds_choices": ROUNDS,
        "draw_time_choices": DRAW_TIMES,
        "word_choices_choices": WORD_CHOICES,
        "defaults": {**DEFAULTS, "language": language if language in {"ko", "en"} else "ko"},
        "ai_difficulties": [
            ("easy", _("Easy")),
            ("normal", _("Normal")),
            ("hard", _("Hard")),
        ],
        "room_languages": [("ko", _("Korean")), ("en", _("English"))],
    }


def _player(request: HttpRequest) -> dict:
    """Who this browser is; makes sure a guest has a session before the websocket opens
    (a websocket cannot set cookies)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        ensure_guest_id(request.session)
    ident = identity_for(request.session, user)
    return {
        "name": ident.name,
        "is_guest": ident.is_guest,
        # A guest who never picked a name is asked for one before taking a seat.
        "needs_name": ident.is_guest and not request.session.get(SESSION_NICKNAME),
    }


def ui_strings() -> dict[str, str]:
    """Every string the scripts show, translated for the request's language."""
    return {
        # lobby
        "no_rooms": _("No public rooms right now. Create one!"),
        "join": _("Join"),
        "full": _("Full"),
        "players_count": _("%(players)s/%(max)s players"),
        "round_of": _("Round %(round)s/%(rounds)s"),
        "host_label": _("Host: %(name)s"),
        "ai_seat": _("AI player"),
        "name_saved": _("Nickname saved: %(name)s"),
        "network_error": _("Network error. Please try again."),
        "creating": _("Creating…"),
        "no_packs": _("No word packs for this language."),
        "words_count": _("%(count)s words"),
        "lang_ko": _("Korean"),
        "lang_en": _("English"),
        # phases
        "phase_lobby": _("Waiting"),
        "phase_choosing": _("Choosing a word"),
        "phase_drawing": _("Drawing"),
        "phase_reveal": _("Reveal"),
        "phase_finished": _("Finished"),
        # room top bar
        "round_short": _("Round %(round)s of %(rounds)s"),
        "draw_this": _("Draw this"),
        "guess_this": _("Guess the word"),
        "guess_next_turn": _("You joined during this turn: guess from the next one."),
        "you_guessed": _("You got it!"),
        "word_was": _("The word was"),
        "letters": _("%(count)s letters"),
        "copied": _("Invite link copied!"),
        "copy_failed": _("Copy the link from the box."),
        "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "reconnected": _("Reconnected."),
        # players
        "you": _("(you)"),
        "host": _("Host"),
        "ai": _("AI"),
        "signed_in": _("Signed-in player"),
        "drawing_now": _("drawing"),
        "guessed_now": _("guessed"),
        "offline": _("offline"),
        "points": _("%(points)s pts"),
        "kick": _("Kick"),
        "vote_kick": _("Vote to kick"),
        "votes": _("Kick votes: %(votes)s/%(needed)s"),
        "player_actions": _("Actions for %(name)s"),
        # toolbar
        "only_drawer": _("Only %(name)s can draw now."),
        "not_your_turn": _("Wait for your turn to draw."),
        "your_turn": _("Your turn: draw the word!"),
        "lobby_tools": _("The drawing tools unlock when it is your turn."),
        # overlay / dialogs
        "waiting_players": _("Waiting for players (%(count)s/%(max)s)"),
        "host_can_start": _("Start when everyone is here. You need at least 2 players."),
        "host_can_start_ai": _("Start when everyone is here, or play alone against the AI."),
        "waiting_host": _("Waiting for %(name)s to start the game."),
        "is_choosing": _("%(name)s is choosing a word…"),
        "you_choose": _("Choose a word to draw"),
        "turn_over_time": _("Time is up!"),
        "turn_over_all": _("Everyone guessed it!"),
        "turn_over_left": _("The drawer left."),
        "game_over": _("Game over"),
        "winner": _("%(name)s wins!"),
        "restart_hint": _("The host can start a new game."),
        "no_points": _("no points"),
        # chat
        "guessed_word": _("%(name)s guessed the word!"),
        "close_guess": _("“%(text)s” is close!"),
        "joined": _("%(name)s joined."),
        "left": _("%(name)s left."),
        "kicked_out": _("%(name)s was kicked."),
        "timed_out": _("%(name)s lost connection."),
        "now_host": _("%(name)s is now the host."),
        "now_drawing": _("%(name)s is drawing now."),
        "vote_started": _("%(voter)s votes to kick %(target)s (%(votes)s/%(needed)s)."),
        "settings_saved": _("Room settings updated."),
        "custom_words_hidden": _("%(count)s custom words (only the host sees them)"),
        "send_failed": _("Not connected: your message was not sent."),
        # terminal states
        "you_were_kicked": _("You were removed from this room."),
        "kicked_by_vote": _("The players voted to remove you from this room."),
        "room_not_found": _("This room does not exist or has closed."),
        "room_full": _("This room is full."),
        "replaced": _("This room is open in another tab or window."),
        "abusive": _("Too many messages. Reconnecting…"),
        "back_to_lobby": _("Back to the lobby"),
        "reconnect": _("Reconnect here"),
        "online": _("Connected"),
        # buttons
        "start": _("Start the game"),
        "copy_invite": _("Copy invite link"),
        "show_words": _("Show the words"),
        "show_ranking": _("Show the ranking"),
        "play_again": _("Play again"),
        # AI
        "ai_thinking": _("%(name)s is thinking:"),
        # tool labels
        "size_15": _("Thin brush"),
        "size_40": _("Medium brush"),
        "size_90": _("Thick brush"),
        "size_180": _("Huge brush"),
        **{f"color_{key.replace(' ', '_')}": name for key, name in _color_names().items()},
    }


def _color_names() -> dict[str, str]:
    """Accessible names of the palette colours (static/js/toolbar.js PALETTE)."""
    return {
        "black": _("black"),
        "dark grey": _("dark grey"),
        "grey": _("grey"),
        "white": _("white"),
        "red": _("red"),
        "orange": _("orange"),
        "amber": _("amber"),
        "yellow": _("yellow"),
        "light green": _("light green"),
        "green": _("green"),
        "teal": _("teal"),
        "sky blue": _("sky blue"),
        "blue": _("blue"),
        "navy": _("navy"),
        "purple": _("purple"),
        "pink": _("pink"),
        "light pink": _("light pink"),
        "peach": _("peach"),
        "light brown": _("light brown"),
        "brown": _("brown"),
    }


def _base_context(request: HttpRequest) -> dict:
    return {"ui_strings": ui_strings(), "player": _player(request)}


@require_GET
@ensure_csrf_cookie
def lobby(request: HttpRequest) -> HttpResponse:
    context = _base_context(request)
    context.update(settings_form_context(request.LANGUAGE_CODE))
    return render(request, "game/lobby.html", context)


@require_GET
@ensure_csrf_cookie
def room(request: HttpRequest, code: str) -> HttpResponse:
    context = _base_context(request)
    context.update(settings_form_context(request.LANGUAGE_CODE))
    invite = request.build_absolute_uri(f"/r/{code}")
    context["room_config"] = {
        "code": code,
        "api": f"/api/rooms/{code}",
        "websocket": f"/ws/rooms/{code}/",
        "invite": invite,
        "player": context["player"],
    }
    context["invite_url"] = invite
    context["code"] = code
    return render(request, "game/room.html", context)
