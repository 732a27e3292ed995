"""The profile page: a name others see (validated, shown as text), an avatar from fixed
choices, and the player's numbers. Badges are what the game shows for signed-in players."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from accounts.models import AVATAR_COLORS, AVATAR_EMOJIS, Profile
from accounts.profiles import ensure_profile, public_badge, public_badges
from accounts.stats import stats_for
from gallery.models import Drawing
from game.models import Guess, Player, Room, Turn

pytestmark = pytest.mark.django_db


@pytest.fixture
def player(django_user_model):
    user = django_user_model.objects.create(username="minji")
    ensure_profile(user, "민지")
    return user


@pytest.fixture
def signed_in(client, player):
    client.force_login(player)
    return client


def save_profile(client, **changes):
    data = {"display_name": "민지", "avatar_color": "#0090ff", "avatar_emoji": "🐱", **changes}
    return client.post("/accounts/profile/", data, HTTP_ACCEPT_LANGUAGE="en")


def test_the_profile_page_needs_a_signed_in_player(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/profile/")


def test_a_player_changes_name_and_avatar(signed_in, player):
    response = save_profile(signed_in, display_name="  그림왕  민지 ", avatar_emoji="🦊")
    assert response.status_code == 302
    profile = Profile.objects.get(user=player)
    assert (profile.display_name, profile.avatar_emoji) == ("그림왕 민지", "🦊")


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("가" * 21, "at most 20 characters"),
        ("bad\x07name", "control characters"),
        ("rtl\u202eoverride", "control characters"),
        ("   ", "This field is required"),
    ],
)
def test_display_names_are_validated(signed_in, player, name, error):
    response = save_profile(signed_in, display_name=name)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert Profile.objects.get(user=player).display_name == "민지"


def test_a_name_that_looks_like_html_is_shown_as_text(signed_in, player):
    save_profile(signed_in, display_name="<b>x</b>")
    html = signed_in.get("/accounts/profile/").content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html
    assert public_badge(player.pk)["name"] == "<b>x</b>"  # data stays text; templates escape


@pytest.mark.parametrize("field", ["avatar_color", "avatar_emoji"])
def test_avatars_come_only_from_the_fixed_lists(signed_in, player, field):
    response = save_profile(signed_in, **{field: "url(https://evil.example/x.png)"})
    assert response.status_code == 400
    profile = Profile.objects.get(user=player)
    assert profile.avatar_color in dict(AVATAR_COLORS)
    assert profile.avatar_emoji in dict(AVATAR_EMOJIS)


def test_badges_carry_name_and_avatar_for_signed_in_players_only(player, django_user_model):
    badge = public_badge(player.pk)
    profile = player.profile
    assert badge == {
        "user_id": player.pk,
        "name": "민지",
        "color": profile.avatar_color,
        "emoji": profile.avatar_emoji,
    }
    assert public_badge(None) is None
    assert public_badge(999999) is None
    bare = django_user_model.objects.create(username="noprofile")
    badges = public_badges([player.pk, bare.pk, None])
    assert set(badges) == {player.pk, bare.pk}
    assert badges[bare.pk]["name"] == "noprofile"


def test_provider_names_are_cleaned_into_valid_display_names(django_user_model):
    user = django_user_model.objects.create(username="x")
    assert ensure_profile(user, "Very\x00Long Name That Goes On And On").display_name == (
        "VeryLong Name That G"
    )


def test_the_page_shows_the_numbers_and_says_when_a_source_fails(signed_in, monkeypatch):
    from accounts import stats

    def broken(user):
        raise DatabaseError("relation gallery_drawing does not exist")

    monkeypatch.setattr(stats, "_published_drawings", broken)
    html = signed_in.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for label in ("Games played", "Wins", "Turns drawn", "Correct guesses", "Beat the AI"):
        assert label in html
    assert "Published drawings" in html and "<dd>—</dd>" in html


def test_stats_count_games_wins_drawings_guesses_and_beating_the_ai(player):
    now = timezone.now()
    room = Room.objects.create(phase="finished", game_number=1)
    me = Player.objects.create(room=room, user=player, name="민지", joined_at=now)
    guest = Player.objects.create(room=room, guest_id="g", name="철수", joined_at=now)
    ai = Player.objects.create(room=room, is_ai=True, name="AI", joined_at=now)

    def turn(drawer, guessers, points):
        return Turn.objects.create(
            room=room,
            game_number=1,
            round_number=1,
            drawer=drawer,
            guessers=[p.pk for p in guessers],
            points={str(p.pk): v for p, v in points.items()},
            word="사과",
            language="ko",
            created_at=now,
            started_at=now,
            draw_time=80,
        )

    def guess(turn, who, seconds, verdict="correct"):
        Guess.objects.create(
            turn=turn,
            player=who,
            text="사과",
            verdict=verdict,
            created_at=now + timedelta(seconds=seconds),
            elapsed_ms=seconds * 1000,
        )

    turn(me, [guest, ai], {me: 50, guest: 30})
    second = turn(guest, [me, ai], {me: 100, guest: 40})
    guess(second, me, 5)
    guess(second, ai, 9)
    third = turn(guest, [me, ai], {})
    guess(third, ai, 3)
    guess(third, me, 7)
    guess(third, me, 2, verdict="wrong")

    stats = stats_for(player)
    assert stats.games == 1
    assert stats.wins == 1
    assert stats.turns_drawn == 1
    assert stats.correct_guesses == 2
    assert stats.beat_the_ai == 1  # second turn yes, third no (the AI was first)
    assert stats.published_drawings == 0


def test_stats_count_the_players_published_drawings(player, django_user_model):
    someone = django_user_model.objects.create(username="someone")
    for owner, published in [(player, True), (player, True), (player, False), (someone, True)]:
        Drawing.objects.create(
            user=owner, drawer_name="민지", word="사과", language="ko", is_published=published
        )
    assert stats_for(player).published_drawings == 2
