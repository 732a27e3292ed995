"""The gallery's pages and forms: who may do what, publishing, the grid, pictures, likes,
reports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from gallery.models import TITLE_MAX, Drawing, Like, Report
from tests.gallery_support import client_for, drawing

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("gallery_media")]


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob")


def csrf_client(user=None, **kwargs) -> Client:
    client = client_for(user, **kwargs)
    client.handler.enforce_csrf_checks = True
    return client


# --------------------------------------------------------------------------------------
# Who may do what
# --------------------------------------------------------------------------------------


def test_the_drawer_publishes_with_a_title_then_unpublishes(alice):
    mine = drawing(user=alice)
    client = client_for(alice)

    response = client.post(f"/gallery/{mine.pk}/publish", {"title": "  우리   집  "})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.is_published and mine.title == "우리 집" and mine.published_at is not None

    client.post(f"/gallery/{mine.pk}/unpublish")
    mine.refresh_from_db()
    assert not mine.is_published


def test_other_players_cannot_publish_unpublish_or_delete_a_drawing(alice, bob):
    private = drawing(user=alice)
    public = drawing(user=alice, is_published=True)
    client = client_for(bob)

    # A private drawing does not exist for them; a public one is not theirs to change.
    assert client.post(f"/gallery/{private.pk}/publish", {"title": "x"}).status_code == 404
    assert client.get(f"/gallery/{private.pk}/").status_code == 404
    assert client.post(f"/gallery/{public.pk}/unpublish").status_code == 403
    assert client.post(f"/gallery/{public.pk}/delete").status_code == 403
    assert client.post(f"/gallery/{public.pk}/publish", {"title": "mine now"}).status_code == 403
    public.refresh_from_db()
    private.refresh_from_db()
    assert public.is_published and public.title == "" and not private.is_published

    anonymous = client_for(guest_id="someone-else")
    assert anonymous.post(f"/gallery/{public.pk}/delete").status_code == 403
    assert Drawing.objects.count() == 2


def test_a_guest_owns_the_drawings_of_their_session():
    mine = drawing(guest_id="guest-1")
    owner = client_for(guest_id="guest-1")
    assert "guest-1" not in owner.get("/gallery/mine/").content.decode()  # the id stays secret
    assert f"/gallery/{mine.pk}/" in owner.get("/gallery/mine/").content.decode()
    assert owner.post(f"/gallery/{mine.pk}/publish", {"title": ""}).status_code == 302
    mine.refresh_from_db()
    assert mine.is_published and mine.display_title == "사과"

    assert client_for(guest_id="guest-2").post(f"/gallery/{mine.pk}/delete").status_code == 403
    assert owner.get(f"/gallery/{mine.pk}/delete").status_code == 200  # the confirmation
    assert owner.post(f"/gallery/{mine.pk}/delete").status_code == 302
    assert not Drawing.objects.exists()


def test_every_form_needs_the_csrf_token(alice):
    mine = drawing(user=alice, is_published=True)
    client = csrf_client(alice)
    for action in ("publish", "unpublish", "delete", "like", "report"):
        assert client.post(f"/gallery/{mine.pk}/{action}").status_code == 403, action
    mine.refresh_from_db()
    assert mine.is_published and Drawing.objects.count() == 1


def test_titles_are_short_plain_text(alice):
    mine = drawing(user=alice)
    client = client_for(alice)
    for bad in ("x" * (TITLE_MAX + 1), "bad\x00title", "right\u202eto left"):
        client.post(f"/gallery/{mine.pk}/publish", {"title": bad})
        mine.refresh_from_db()
        assert not mine.is_published and mine.title == "", repr(bad)

    client.post(f"/gallery/{mine.pk}/publish", {"title": "<script>alert(1)</script>"})
    html = client_for().get(f"/gallery/{mine.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --------------------------------------------------------------------------------------
# Likes
# --------------------------------------------------------------------------------------


def test_a_signed_in_player_likes_once_and_a_second_click_takes_it_back(alice, bob):
    art = drawing(user=alice, is_published=True)
    client = client_for(bob)
    client.post(f"/gallery/{art.pk}/like")
    assert Like.objects.filter(drawing=art, user=bob).count() == 1
    assert "1 like" in client.get(f"/gallery/{art.pk}/").content.decode()
    client.post(f"/gallery/{art.pk}/like")
    assert not Like.objects.exists()


def test_the_page_reads_the_likes_with_the_drawing(
    django_user_model, alice, bob, django_assert_num_queries
):
    """Like count and "liked" come in the drawing's query (``with_likes``): a visitor's page
    is the drawing and its timeline; a signed-in one adds the session, the user and the
    header's profile. However many likes there are."""
    art = drawing(user=alice, is_published=True)
    url = f"/gallery/{art.pk}/"
    visitor, liker = client_for(), client_for(bob)
    for likes in (0, 5):
        for index in range(likes - Like.objects.count()):
            fan = bob if index == 0 else django_user_model.objects.create_user(f"fan{index}")
            Like.objects.create(drawing=art, user=fan)
        liker.get(url)  # the session and the profile exist from here on
        with django_assert_num_queries(2):
            html = visitor.get(url).content.decode()
        assert f">{likes} like" in html  # the count shown, not the plural forms' templates
        with django_assert_num_queries(5):
            html = liker.get(url).content.decode()
        assert f">{likes} like" in html
        assert f'aria-pressed="{"true" if likes else "false"}"' in html


def test_guests_cannot_like(alice):
    art = drawing(user=alice, is_published=True)
    response = client_for(guest_id="g").post(f"/gallery/{art.pk}/like")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Like.objects.exists()


def test_nobody_can_like_what_they_cannot_see(alice, bob):
    private = drawing(user=alice)
    assert client_for(bob).post(f"/gallery/{private.pk}/like").status_code == 404
    assert not Like.objects.exists()


# --------------------------------------------------------------------------------------
# Reports and moderation
# --------------------------------------------------------------------------------------


def test_a_drawing_is_hidden_after_three_different_reporters_until_reviewed(
    django_user_model, alice
):
    art = drawing(user=alice, is_published=True)
    reporters = [django_user_model.objects.create_user(f"r{i}") for i in range(3)]

    client_for(reporters[0]).post(f"/gallery/{art.pk}/report", {"reason": "spam"})
    client_for(reporters[0]).post(f"/gallery/{art.pk}/report", {"reason": "spam"})  # again
    client_for(reporters[1]).post(f"/gallery/{art.pk}/report", {"reason": "offensive"})
    art.refresh_from_db()
    assert not art.is_hidden  # two different reporters so far

    client_for(reporters[2]).post(f"/gallery/{art.pk}/report", {"reason": "other"})
    art.refresh_from_db()
    assert art.is_hidden and art.hidden_reason == "reports"
    assert art.pk not in [d.pk for d in client_for().get("/gallery/").context["page"]]
    assert client_for(reporters[0]).get(f"/gallery/{art.pk}/").status_code == 404
    owner_view = client_for(alice).get(f"/gallery/{art.pk}/")
    assert owner_view.status_code == 200 and b"hidden while a moderator" in owner_view.content


def test_the_report_threshold_is_a_setting(settings, django_user_model, alice):
    settings.GALLERY_REPORT_THRESHOLD = 1
    art = drawing(user=alice, is_published=True)
    reporter = django_user_model.objects.create_user("r")
    client_for(reporter).post(f"/gallery/{art.pk}/report", {"reason": "sexual"})
    art.refresh_from_db()
    assert art.is_hidden


def test_guests_cannot_report_and_drawers_cannot_report_themselves(alice):
    art = drawing(user=alice, is_published=True)
    client_for(guest_id="g").post(f"/gallery/{art.pk}/report", {"reason": "spam"})
    client_for(alice).post(f"/gallery/{art.pk}/report", {"reason": "spam"})
    assert not Report.objects.exists()


def test_moderators_hide_and_unhide_in_bulk_and_review_the_report_queue(django_user_model, alice):
    admin = django_user_model.objects.create_superuser("mod", password="pw")
    reported = drawing(user=alice, is_published=True, is_hidden=True, hidden_reason="reports")
    Report.objects.create(drawing=reported, reporter=alice, reason="spam")
    fine = drawing(user=alice, is_published=True)
    client = client_for(admin)

    queue = client.get("/admin/gallery/report/?status=open")
    assert queue.status_code == 200 and "spam" in queue.content.decode().lower()
    assert client.get("/admin/gallery/drawing/?reported=yes").status_code == 200

    client.post(
        "/admin/gallery/drawing/",
        {"action": "unhide", "_selected_action": [reported.pk]},
    )
    reported.refresh_from_db()
    assert not reported.is_hidden and reported.reviewed_at is not None
    assert not Report.objects.filter(resolved_at__isnull=True).exists()

    client.post(
        "/admin/gallery/drawing/",
        {"action": "hide", "_selected_action": [reported.pk, fine.pk]},
    )
    assert Drawing.objects.filter(is_hidden=True, hidden_reason="moderator").count() == 2


# --------------------------------------------------------------------------------------
# The grid
# --------------------------------------------------------------------------------------


def _titles(response) -> list[str]:
    return [d.display_title for d in response.context["page"]]


def test_the_gallery_shows_only_published_visible_drawings_newest_first(alice):
    now = timezone.now()
    drawing(user=alice, title="old", is_published=True, published_at=now - dt.timedelta(days=2))
    drawing(user=alice, title="new", is_published=True, published_at=now)
    drawing(user=alice, title="private")
    drawing(user=alice, title="hidden", is_published=True, is_hidden=True)
    assert _titles(client_for().get("/gallery/")) == ["new", "old"]


def test_the_gallery_is_paginated(alice):
    for i in range(30):
        drawing(user=alice, title=f"d{i}", is_published=True)
    client = client_for()
    first = client.get("/gallery/")
    assert len(first.context["page"]) == 24 and first.context["page"].paginator.num_pages == 2
    second = client.get("/gallery/?page=2")
    assert len(second.context["page"]) == 6
    assert set(_titles(first)).isdisjoint(_titles(second))
    assert client.get("/gallery/?page=99").status_code == 200  # the last page instead
    assert 'rel="next"' in first.content.decode()


def test_the_gallery_filters_by_word_and_language_and_searches_titles_and_words(alice):
    drawing(user=alice, word="사과", language="ko", title="빨간 사과", is_published=True)
    drawing(user=alice, word="apple", language="en", title="Green one", is_published=True)
    drawing(user=alice, word="cat", language="en", title="My apple cat", is_published=True)
    client = client_for()
    assert _titles(client.get("/gallery/?word=APPLE")) == ["Green one"]
    assert sorted(_titles(client.get("/gallery/?lang=en"))) == ["Green one", "My apple cat"]
    assert sorted(_titles(client.get("/gallery/?q=apple"))) == ["Green one", "My apple cat"]
    assert _titles(client.get("/gallery/?q=사과&lang=ko")) == ["빨간 사과"]
    assert client.get("/gallery/?lang=xx&sort=nonsense").status_code == 200


def test_most_liked_and_this_week(django_user_model, alice):
    now = timezone.now()
    fans = [django_user_model.objects.create_user(f"fan{i}") for i in range(3)]
    classic = drawing(
        user=alice, title="classic", is_published=True, published_at=now - dt.timedelta(days=30)
    )
    fresh = drawing(user=alice, title="fresh", is_published=True, published_at=now)
    drawing(user=alice, title="unloved", is_published=True, published_at=now)
    for fan in fans:
        Like.objects.create(drawing=classic, user=fan)
    Like.objects.create(drawing=fresh, user=fans[0])
    client = client_for()
    assert _titles(client.get("/gallery/?sort=top")) == ["classic", "fresh", "unloved"]
    assert _titles(client.get("/gallery/?sort=week")) == ["fresh", "unloved"]


def test_the_grid_costs_a_fixed_number_of_queries_however_many_drawings(
    django_user_model, alice, django_assert_max_num_queries
):
    fans = [django_user_model.objects.create_user(f"fan{i}") for i in range(5)]
    drawings = Drawing.objects.bulk_create(
        Drawing(
            user=alice,
            word=f"w{i}",
            language="ko",
            drawer_name="그림왕",
            title=f"t{i}",
            is_published=True,
            published_at=timezone.now(),
        )
        for i in range(300)
    )
    Like.objects.bulk_create(Like(drawing=d, user=f) for d in drawings[:50] for f in fans)
    client = client_for(fans[0])
    client.get("/gallery/")  # warm up the session and translations
    for url in ("/gallery/", "/gallery/?sort=top", "/gallery/?sort=week&page=3", "/gallery/mine/"):
        with django_assert_max_num_queries(6):
            response = client.get(url)
        assert response.status_code == 200
    top = client.get("/gallery/?sort=top").context["page"]
    assert [d.like_count for d in top][:2] == [5, 5] and top[0].liked is True


# --------------------------------------------------------------------------------------
# A drawing's page and pictures
# --------------------------------------------------------------------------------------


def test_a_public_drawing_has_open_graph_tags_with_the_absolute_png_url(alice):
    art = drawing(user=alice, title="우리 집", is_published=True)
    html = client_for().get(f"/gallery/{art.pk}/").content.decode()
    png = f"http://testserver/gallery/{art.pk}/{art.token}.png"
    assert f'<meta property="og:image" content="{png}">' in html
    assert '<meta property="og:title" content="우리 집">' in html
    assert (
        "og:image"
        not in client_for(alice).get(f"/gallery/{drawing(user=alice).pk}/").content.decode()
    )


def test_pictures_are_rendered_once_cached_in_storage_and_cached_by_browsers_for_a_year(alice):
    art = drawing(user=alice, is_published=True)
    client = client_for()
    response = client.get(f"/gallery/{art.pk}/{art.token}-thumb.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "max-age=31536000" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert Image.open(io.BytesIO(response.content)).size == (320, 240)
    art.refresh_from_db()
    assert art.thumbnail.name  # stored: the next request reads the file
    assert client.get(f"/gallery/{art.pk}/{art.token}-thumb.png").content == response.content

    full = client.get(f"/gallery/{art.pk}/{art.token}.png?download=1")
    assert Image.open(io.BytesIO(full.content)).size == (800, 600)
    assert full["Content-Disposition"].startswith("attachment;")
    assert client.get(f"/gallery/{art.pk}/{'0' * 16}.png").status_code == 404


def test_private_pictures_are_for_the_drawer_only(alice, bob):
    private = drawing(user=alice)
    url = f"/gallery/{private.pk}/{private.token}.png"
    assert client_for(bob).get(url).status_code == 404
    mine = client_for(alice).get(url)
    assert mine.status_code == 200 and mine["Cache-Control"].startswith("private")


def test_stored_pictures_have_no_address_of_their_own(alice, django_user_model):
    """The files in MEDIA_ROOT are reached only through the gallery's views (access checks):
    a hidden drawing's file is not served by its storage name; the admin links the views."""
    hidden = drawing(user=alice, is_published=True, is_hidden=True, hidden_reason="moderator")
    assert client_for(alice).get(f"/gallery/{hidden.pk}/{hidden.token}.png").status_code == 200
    hidden.refresh_from_db()
    assert hidden.image.name  # rendered once and stored
    assert client_for(alice).get(f"/media/{hidden.image.name}").status_code == 404
    assert client_for().get(hidden.image.url).status_code == 404

    moderator = django_user_model.objects.create_superuser("mod", password="pw")
    page = client_for(moderator).get(f"/admin/gallery/drawing/{hidden.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/gallery/{hidden.pk}/{hidden.token}.png"' in html
    assert f'href="{hidden.image.url}"' not in html


def test_the_gif_is_an_animation_of_the_drawing_being_drawn(alice):
    art = drawing(user=alice, is_published=True)
    response = client_for().get(f"/gallery/{art.pk}/{art.token}.gif")
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    gif = Image.open(io.BytesIO(response.content))
    assert gif.is_animated and gif.n_frames > 1
    gif.seek(gif.n_frames - 1)
    last = gif.convert("RGB")
    gif.seek(0)
    first = gif.convert("RGB")
    assert first.getcolors(1) is not None  # starts from the empty board
    assert last.getcolors(1) is None  # ends with the drawing


def test_the_replay_data_has_a_time_for_every_op(alice):
    art = drawing(user=alice, is_published=True)
    data = client_for().get(f"/gallery/{art.pk}/replay.json").json()
    assert data["ops"] == art.ops
    assert len(data["times"]) == len(data["ops"]) and data["times"] == sorted(data["times"])
    assert data["times"][-1] == 20_000


def test_pages_are_in_korean_and_english(alice):
    art = drawing(user=alice, is_published=True)
    korean = client_for(language="ko").get("/gallery/").content.decode()
    english = client_for(language="en").get("/gallery/").content.decode()
    assert "갤러리" in korean and "Gallery" in english
    assert "내 그림" in korean and "My drawings" in english
    detail = client_for(language="ko").get(f"/gallery/{art.pk}/").content.decode()
    assert "PNG 내려받기" in detail


def test_the_page_s_script_likes_without_a_reload(alice, bob):
    art = drawing(user=alice, is_published=True)
    client = client_for(bob)
    liked = client.post(f"/gallery/{art.pk}/like", HTTP_ACCEPT="application/json")
    assert liked.json() == {"liked": True, "likes": 1}
    unliked = client.post(f"/gallery/{art.pk}/like", HTTP_ACCEPT="application/json")
    assert unliked.json() == {"liked": False, "likes": 0}
