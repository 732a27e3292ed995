"""Deleting an account removes the person; the games other people played stay readable."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Profile
from accounts.signals import account_deleting
from gallery.models import Drawing
from game.models import Player, Room
from tests.accounts_support import PEOPLE, visitor_client

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def client():
    return visitor_client()


@pytest.fixture
def member(client, settings, providers):
    """Someone who signed in with Kakao (tokens stored, to prove they go too)."""
    settings.SOCIALACCOUNT_STORE_TOKENS = True
    providers.sign_in(client, "kakao", PEOPLE["kakao"])
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert SocialToken.objects.filter(account__user=user).exists()
    return user


@pytest.fixture
def deletions():
    heard = []

    def gallery(sender, user, keep_drawings, anonymous_name, **kwargs):
        heard.append((user.pk, keep_drawings, anonymous_name))

    account_deleting.connect(gallery)
    yield heard
    account_deleting.disconnect(gallery)


def personal_rows() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "emails": EmailAddress.objects.count(),
        "social accounts": SocialAccount.objects.count(),
        "social tokens": SocialToken.objects.count(),
        "profiles": Profile.objects.count(),
    }


def test_deletion_asks_first(client, member):
    page = client.get("/accounts/profile/delete/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'method="post"' in html and 'name="confirm"' in html and 'name="drawings"' in html
    assert User.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize(
    "data", [{}, {"drawings": "keep"}, {"confirm": "on"}, {"confirm": "on", "drawings": "x"}]
)
def test_nothing_is_deleted_without_confirmation_and_a_choice(client, member, data):
    response = client.post("/accounts/profile/delete/", data)
    assert response.status_code == 400
    assert personal_rows()["users"] == 1


def test_deletion_leaves_no_personal_data_behind(client, member, deletions):
    now = timezone.now()
    korean = Room.objects.create(language="ko")
    english = Room.objects.create(language="en")
    seat_ko = Player.objects.create(room=korean, user=member, name="홍길동", joined_at=now)
    seat_en = Player.objects.create(room=english, user=member, name="홍길동", joined_at=now)
    other = Player.objects.create(room=korean, guest_id="g", name="철수", joined_at=now)

    response = client.post(
        "/accounts/profile/delete/", {"drawings": "delete", "confirm": "on"}, follow=True
    )

    assert response.status_code == 200
    assert personal_rows() == {
        "users": 0,
        "emails": 0,
        "social accounts": 0,
        "social tokens": 0,
        "profiles": 0,
    }
    assert "_auth_user_id" not in client.session
    seat_ko.refresh_from_db()
    seat_en.refresh_from_db()
    assert (seat_ko.user, seat_ko.name) == (None, "탈퇴한 사용자")
    assert (seat_en.user, seat_en.name) == (None, "Deleted user")
    other.refresh_from_db()
    assert other.name == "철수"
    assert deletions == [(member.pk, False, "탈퇴한 사용자")]


def test_the_player_chooses_to_keep_drawings_anonymously(client, member, deletions):
    client.post(
        "/accounts/profile/delete/",
        {"drawings": "keep", "confirm": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert deletions == [(member.pk, True, "Deleted user")]
    assert personal_rows()["users"] == 0


def test_a_handler_that_fails_keeps_the_account_whole(client, member):
    def broken(sender, **kwargs):
        raise RuntimeError("gallery is down")

    account_deleting.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            client.post("/accounts/profile/delete/", {"drawings": "keep", "confirm": "on"})
    finally:
        account_deleting.disconnect(broken)
    assert personal_rows()["users"] == 1 and personal_rows()["social accounts"] == 1


def test_signing_in_again_after_deletion_starts_a_new_account(client, member, providers):
    client.post("/accounts/profile/delete/", {"drawings": "delete", "confirm": "on"})
    providers.sign_in(client, "kakao", PEOPLE["kakao"])
    new = User.objects.get()
    assert new.pk != member.pk
    assert new.profile.display_name == "홍길동"


@pytest.mark.parametrize(("choice", "kept"), [("keep", True), ("delete", False)])
def test_published_drawings_follow_the_players_choice(client, member, choice, kept):
    drawing = Drawing.objects.create(
        user=member, drawer_name="홍길동", word="사과", language="ko", is_published=True
    )
    client.post("/accounts/profile/delete/", {"drawings": choice, "confirm": "on"})
    remaining = Drawing.objects.filter(pk=drawing.pk).first()
    if kept:
        assert (remaining.user, remaining.drawer_name) == (None, "탈퇴한 사용자")
    else:
        assert remaining is None
