"""Operators find players in the admin: users, profiles and social accounts, with search and
filters."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts.profiles import ensure_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def players(django_user_model):
    minji = django_user_model.objects.create(username="minji", email="minji@gmail.com")
    ensure_profile(minji, "그림왕")
    SocialAccount.objects.create(user=minji, provider="google", uid="1042365102")
    gildong = django_user_model.objects.create(username="gildong", email="gd@kakao.com")
    ensure_profile(gildong, "홍길동")
    SocialAccount.objects.create(user=gildong, provider="kakao", uid="3012345678")
    return minji, gildong


@pytest.fixture
def operator(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("op", "op@example.com", "x"))
    return client


def listed(response, *names):
    html = response.content.decode()
    assert response.status_code == 200
    return {name for name in names if name in html}


def test_users_are_searchable_by_display_name_email_and_provider_uid(operator, players):
    assert listed(operator.get("/admin/auth/user/", {"q": "그림왕"}), "minji", "gildong") == {
        "minji"
    }
    assert listed(operator.get("/admin/auth/user/", {"q": "gd@kakao"}), "minji", "gildong") == {
        "gildong"
    }
    assert listed(operator.get("/admin/auth/user/", {"q": "3012345678"}), "minji", "gildong") == {
        "gildong"
    }


def test_users_filter_by_sign_in_provider(operator, players):
    response = operator.get("/admin/auth/user/", {"provider": "kakao"})
    assert listed(response, "minji", "gildong") == {"gildong"}
    response = operator.get("/admin/auth/user/", {"provider": "none"})
    assert listed(response, "minji", "gildong") == set()  # only "op", who has a password


def test_a_users_page_shows_profile_and_connected_accounts(operator, players):
    minji, _ = players
    html = operator.get(f"/admin/auth/user/{minji.pk}/change/").content.decode()
    assert "그림왕" in html and "1042365102" in html


def test_profiles_and_social_accounts_have_search_and_filters(operator, players):
    response = operator.get("/admin/accounts/profile/", {"q": "홍길동"})
    assert listed(response, "홍길동", "그림왕") == {"홍길동"}
    response = operator.get("/admin/socialaccount/socialaccount/", {"provider__exact": "google"})
    assert listed(response, "1042365102", "3012345678") == {"1042365102"}
    response = operator.get("/admin/socialaccount/socialaccount/", {"q": "홍길동"})
    assert listed(response, "1042365102", "3012345678") == {"3012345678"}


def test_sign_in_apps_are_configured_in_the_environment_not_the_admin(operator):
    assert operator.get("/admin/socialaccount/socialapp/").status_code == 404
