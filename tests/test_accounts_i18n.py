"""The sign-in and profile pages speak Korean first and English on request."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.profiles import ensure_profile
from tests.accounts_support import provider_settings
from tests.conftest import require

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parent.parent / "accounts/locale/ko/LC_MESSAGES/django.mo"


@pytest.fixture(autouse=True)
def compiled():
    require(CATALOGUE.exists(), "compiled translations (manage.py compile_translations)")


def test_the_sign_in_page_is_korean_by_default(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(["kakao", "naver"])
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="ko">' in html
    assert "로그인" in html and "카카오" in html and "네이버" in html
    assert "Continue with" not in html


def test_the_sign_in_page_is_english_on_request(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(["kakao"])
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Continue with Kakao" in html and "play as a guest" in html


def test_the_profile_page_in_both_languages(client, django_user_model):
    user = django_user_model.objects.create(username="minji")
    ensure_profile(user, "민지")
    client.force_login(user)
    korean = client.get("/accounts/profile/").content.decode()
    assert "내 프로필" in korean and "AI보다 먼저 맞힘" in korean
    english = client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your profile" in english and "Beat the AI" in english
