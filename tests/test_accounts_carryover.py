"""A guest who signs in keeps their seat: the game rows move from the guest id to the account."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.carryover import claim_guest
from accounts.identity import SESSION_GUEST_ID, SESSION_NICKNAME, identity_for
from accounts.signals import guest_claimed
from game.models import Player, Room
from tests.accounts_support import PEOPLE, visitor_client

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def client():
    return visitor_client()


def become_guest(client, nickname: str, guest_id: str = "guest-7Qm2xY") -> str:
    """The session a game page gives a guest (accounts.identity.set_nickname)."""
    cookie = client.cookies.get(django_settings.SESSION_COOKIE_NAME)
    if cookie is not None and not cookie.value:  # expired by a sign-out
        del client.cookies[django_settings.SESSION_COOKIE_NAME]
    session = client.session
    session[SESSION_GUEST_ID] = guest_id
    session[SESSION_NICKNAME] = nickname
    session.save()
    return guest_id


def seat(room, **fields) -> Player:
    return Player.objects.create(room=room, joined_at=timezone.now(), **fields)


def signed_in_user(client):
    return User.objects.get(pk=client.session["_auth_user_id"])


def test_a_guest_who_signs_in_keeps_their_seat_as_the_account(client, providers):
    guest_id = become_guest(client, "철수")
    room = Room.objects.create()
    mine = seat(room, guest_id=guest_id, name="철수", score=120)
    other = seat(room, guest_id="someone-else", name="영희", score=80)
    key_before = client.session.session_key

    providers.sign_in(client, "kakao", PEOPLE["kakao"])

    user = signed_in_user(client)
    assert client.session.session_key != key_before  # login rotated the session key
    mine.refresh_from_db()
    assert (mine.user, mine.guest_id) == (user, None)
    assert (mine.room_id, mine.score, mine.name, mine.left_at) == (room.pk, 120, "철수", None)
    assert Player.objects.filter(room=room).count() == 2  # the seat moved, none was added
    other.refresh_from_db()
    assert (other.user, other.guest_id) == (None, "someone-else")


def test_after_sign_in_the_session_speaks_for_the_account(client, providers):
    become_guest(client, "철수")
    providers.sign_in(client, "naver", PEOPLE["naver"])
    user = signed_in_user(client)
    assert SESSION_GUEST_ID not in client.session
    identity = identity_for(client.session, user)
    assert (identity.user_id, identity.guest_id, identity.name) == (user.pk, None, "김네이버")


def test_every_seat_of_the_guest_moves(client, providers):
    guest_id = become_guest(client, "철수")
    rooms = [Room.objects.create() for _ in range(3)]
    for room in rooms:
        seat(room, guest_id=guest_id, name="철수")
    providers.sign_in(client, "google", PEOPLE["google"])
    user = signed_in_user(client)
    assert set(Player.objects.filter(user=user).values_list("room_id", flat=True)) == {
        r.pk for r in rooms
    }
    assert not Player.objects.filter(guest_id=guest_id).exists()


def test_the_guest_seat_wins_over_an_older_seat_of_the_account_in_the_same_room(client, providers):
    providers.sign_in(client, "github", PEOPLE["github"])
    user = signed_in_user(client)
    client.post("/accounts/logout/")
    room = Room.objects.create()
    old = seat(room, user=user, name="octocat", score=10)
    guest_id = become_guest(client, "문어")
    live = seat(room, guest_id=guest_id, name="문어", score=300)

    providers.sign_in(client, "github", PEOPLE["github"])

    live.refresh_from_db()
    old.refresh_from_db()
    assert live.user == user and live.score == 300
    assert old.user is None and old.score == 10  # history kept, no longer the account's


def test_other_apps_hear_about_the_claim(client, providers):
    heard = []

    def gallery_handler(sender, guest_id, user, **kwargs):
        heard.append((guest_id, user.pk))

    guest_claimed.connect(gallery_handler)
    try:
        guest_id = become_guest(client, "철수")
        providers.sign_in(client, "kakao", PEOPLE["kakao"])
    finally:
        guest_claimed.disconnect(gallery_handler)
    assert heard == [(guest_id, signed_in_user(client).pk)]


def test_claiming_twice_moves_nothing_the_second_time(django_user_model):
    user = django_user_model.objects.create(username="u1")
    room = Room.objects.create()
    seat(room, guest_id="g-1", name="철수")
    assert claim_guest("g-1", user) == 1
    assert claim_guest("g-1", user) == 0
    assert claim_guest("", user) == 0


def test_a_password_login_claims_the_guest_too(client, django_user_model):
    django_user_model.objects.create_superuser("op", "op@example.com", "pw-0123456789")
    guest_id = become_guest(client, "운영자")
    room = Room.objects.create()
    mine = seat(room, guest_id=guest_id, name="운영자")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "op", "password": "pw-0123456789"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.user.username == "op"


def test_the_game_seats_the_account_in_the_guests_seat_after_sign_in(client, providers):
    """End to end with the game's own actions: join as a guest, sign in, reconnect."""
    from django.contrib.auth.models import AnonymousUser

    from game import actions

    become_guest(client, "철수")
    room = Room.objects.create()
    session = client.session
    as_guest = actions.connect(room.pk, identity_for(session, AnonymousUser()), "conn-1")
    session.save()

    providers.sign_in(client, "kakao", PEOPLE["kakao"])
    user = signed_in_user(client)
    as_member = actions.connect(room.pk, identity_for(client.session, user), "conn-2")

    assert as_member.player_id == as_guest.player_id
    seat = Player.objects.get(room=room)
    assert (seat.user, seat.guest_id, seat.left_at) == (user, None, None)
