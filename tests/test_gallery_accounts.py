"""Drawings follow their drawer: a guest who signs in takes them along, and deleting an
account deletes them or keeps the published ones without the drawer's name."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from accounts.carryover import claim_guest
from accounts.deletion import delete_account
from gallery import saving
from gallery.models import Drawing, Like
from tests.gallery_support import client_for, drawing, finished_turn, guess

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("gallery_media")]


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice")


def test_a_guest_sees_the_drawings_of_their_session_under_my_drawings():
    saving.save_drawing(finished_turn(guest_id="guest-1", word="집").pk)
    saving.save_drawing(finished_turn(guest_id="guest-2", word="배").pk)
    page = client_for(guest_id="guest-1").get("/gallery/mine/")
    assert [d.word for d in page.context["page"]] == ["집"]
    assert "Sign in to keep them" in page.content.decode()
    assert list(Client().get("/gallery/mine/").context["page"]) == []  # no session, nothing


def test_signing_in_claims_the_guest_drawings_for_the_account(alice):
    mine = saving.save_drawing(finished_turn(guest_id="guest-1").pk)
    other = saving.save_drawing(finished_turn(guest_id="guest-2").pk)

    claim_guest("guest-1", alice)

    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.user == alice and mine.guest_id is None
    assert other.user is None and other.guest_id == "guest-2"
    client = Client()
    client.force_login(alice)
    assert [d.pk for d in client.get("/gallery/mine/").context["page"]] == [mine.pk]


def test_signing_in_through_the_login_signal_claims_them_too(alice):
    """The real path: Django's login() with the guest's session (accounts.carryover)."""
    mine = saving.save_drawing(finished_turn(guest_id="guest-1").pk)
    client = client_for(guest_id="guest-1")
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    mine.refresh_from_db()
    assert mine.user == alice
    assert client.post(f"/gallery/{mine.pk}/publish", {"title": "내 집"}).status_code == 302


def test_deleting_an_account_can_keep_published_drawings_anonymously(
    django_user_model, alice, django_capture_on_commit_callbacks
):
    fan = django_user_model.objects.create_user("fan")
    published = saving.save_drawing(finished_turn(user=alice, name="앨리스").pk)
    Drawing.objects.filter(pk=published.pk).update(is_published=True, title="우리 집")
    Like.objects.create(drawing=published, user=fan)
    private = saving.save_drawing(finished_turn(user=alice, name="앨리스").pk)
    private_files = [private.image.name, private.thumbnail.name]

    with django_capture_on_commit_callbacks(execute=True):  # files go after the commit
        delete_account(alice, keep_drawings=True)

    kept = Drawing.objects.get(pk=published.pk)
    assert kept.user is None and kept.guest_id is None and kept.drawer_deleted
    assert kept.drawer_name == "탈퇴한 사용자"  # the drawing's language
    assert kept.likes.count() == 1
    assert not Drawing.objects.filter(pk=private.pk).exists()
    assert not any(default_storage.exists(name) for name in private_files)

    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/gallery/{kept.pk}/").content.decode()
    assert "Deleted user" in html and "앨리스" not in html


def test_deleting_an_account_can_delete_every_drawing(alice):
    published = drawing(user=alice, is_published=True)
    drawing(user=alice)
    someone_else = drawing(guest_id="guest-9", is_published=True)

    delete_account(alice, keep_drawings=False)

    assert list(Drawing.objects.values_list("pk", flat=True)) == [someone_else.pk]
    assert not Drawing.objects.filter(pk=published.pk).exists()


def test_nobody_owns_an_anonymised_drawing(alice):
    art = drawing(user=alice, is_published=True)
    delete_account(alice, keep_drawings=True)
    art.refresh_from_db()
    assert not art.is_owner(None, None) and not art.is_owner(None, "")


def test_a_deleted_account_s_guesses_in_other_drawings_lose_its_name(alice):
    from game.models import Player

    turn = finished_turn(guessers=("민지", "철수"))
    Player.objects.filter(room=turn.room, name="민지").update(user=alice)
    guess(turn, "민지", "상자", "wrong", 3_000)
    guess(turn, "철수", "집", "correct", 5_000)
    art = saving.save_drawing(turn.pk)

    delete_account(alice, keep_drawings=False)

    art.refresh_from_db()
    assert [(e["name"], e["text"]) for e in art.timeline] == [
        ("탈퇴한 사용자", "상자"),
        ("철수", "집"),
    ]


def test_a_guest_who_signs_in_while_their_drawing_is_being_saved_still_gets_it(alice, monkeypatch):
    turn = finished_turn(guest_id="guest-1")
    real_render = saving.render.render_image

    def render_then_sign_in(ops, width=800):
        picture = real_render(ops, width)
        claim_guest("guest-1", alice)  # between reading the drawer and saving the drawing
        return picture

    monkeypatch.setattr(saving.render, "render_image", render_then_sign_in)
    art = saving.save_drawing(turn.pk)
    art.refresh_from_db()
    assert art.user == alice and art.guest_id is None
