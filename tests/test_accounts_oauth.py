"""Sign-in with Google, GitHub, Kakao and Naver through allauth's real views.

The providers are the fakes in ``tests/accounts_support.py`` (answered by ``responses``);
everything on our side -- settings, URLs, allauth, adapter, templates -- is the real thing.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from accounts.models import Profile
from tests.accounts_support import (
    PEOPLE,
    PROVIDERS,
    TOKEN,
    FakeProviders,
    provider_settings,
    visitor_client,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def client():
    return visitor_client()


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def provider_buttons(html: str) -> list[str]:
    return re.findall(r'data-provider="([a-z]+)"', html)


# --- The sign-in page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "configured",
    [(), ("google",), ("kakao", "naver"), ("github", "google"), PROVIDERS],
    ids=lambda c: "+".join(c) or "none",
)
def test_sign_in_page_lists_exactly_the_configured_providers(client, settings, configured):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(configured)
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert sorted(provider_buttons(response.content.decode())) == sorted(configured)


def test_sign_in_page_says_so_when_no_provider_is_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "You can still play as a guest" in response.content.decode()


def test_sign_in_page_uses_the_site_layout_and_posts_to_each_provider(client, providers):
    html = client.get("/accounts/login/").content.decode()
    assert 'class="site-header"' in html  # templates/base.html
    for provider in PROVIDERS:
        assert f'<form method="post" action="/accounts/{provider}/login/?process=login">' in html
    assert "csrfmiddlewaretoken" in html


def test_there_is_no_local_password_sign_in_or_sign_up(client, providers):
    assert client.post("/accounts/login/", {"login": "x", "password": "y"}).status_code == 403
    assert client.get("/accounts/signup/").status_code == 404
    assert 'name="password"' not in client.get("/accounts/login/").content.decode()


def test_unconfigured_provider_is_not_found(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(["google"])
    assert client.post("/accounts/kakao/login/").status_code == 404
    assert client.get("/accounts/kakao/login/callback/", {"code": "x"}).status_code == 404


# --- Starting: only a POST leaves for the provider --------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_get_on_the_login_url_only_asks_to_confirm_with_a_post(client, providers, provider):
    response = client.get(f"/accounts/{provider}/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post">' in html and "csrfmiddlewaretoken" in html
    assert "socialaccount_states" not in client.session
    assert providers.calls == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_post_redirects_to_the_provider_with_a_state(client, providers, provider):
    params = providers.start(client, provider)
    assert params["redirect_uri"] == f"http://testserver/accounts/{provider}/login/callback/"
    assert len(params["state"]) >= 16
    if provider == "google":
        assert params["code_challenge_method"] == "S256"
        assert set(params["scope"].split()) == {"profile", "email"}


def test_production_sends_https_callback_urls(client, providers, settings):
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"  # as settings.py sets it in production
    params = providers.start(client, "naver")
    assert params["redirect_uri"] == "https://testserver/accounts/naver/login/callback/"


def test_login_post_needs_the_csrf_token(providers):
    strict = visitor_client(enforce_csrf_checks=True)
    assert strict.post("/accounts/google/login/").status_code == 403


# --- Completing: first sign-in, second sign-in ------------------------------------------


EXPECTED_NAME = {
    "google": "Kim Minji",
    "github": "The Octocat",
    "kakao": "홍길동",
    "naver": "김네이버",
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_first_sign_in_creates_the_account_with_the_providers_name_and_email(
    client, providers, provider
):
    person = PEOPLE[provider]
    response = providers.sign_in(client, provider, person)

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = signed_in_user(client)
    assert user is not None
    assert user.email == person.email
    assert user.has_usable_password() is False
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == (provider, person.uid)
    assert EmailAddress.objects.filter(user=user, email=person.email, primary=True).exists()
    assert Profile.objects.get(user=user).display_name == EXPECTED_NAME[provider]
    assert TOKEN[provider] in providers.calls


def test_google_without_id_token_reads_the_userinfo_endpoint(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(["google"])
    with FakeProviders(google_id_token=False) as fake:
        fake.sign_in(client, "google", PEOPLE["google"])
        assert "https://www.googleapis.com/oauth2/v2/userinfo" in fake.calls
    user = signed_in_user(client)
    assert user.profile.display_name == "Kim Minji"
    assert user.email == "minji@gmail.com"


def test_github_reads_the_private_email_from_user_emails(client, providers):
    providers.sign_in(client, "github", PEOPLE["github"])
    assert "https://api.github.com/user/emails" in providers.calls
    user = signed_in_user(client)
    assert user.email == "octo@example.com"
    assert user.username == "octocat"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_second_sign_in_reuses_the_account(client, providers, provider):
    person = PEOPLE[provider]
    providers.sign_in(client, provider, person)
    first = signed_in_user(client)
    client.post("/accounts/logout/")
    assert signed_in_user(client) is None

    response = providers.sign_in(client, provider, person)

    assert response.status_code == 302
    assert signed_in_user(client) == first
    assert User.objects.count() == 1
    assert SocialAccount.objects.count() == 1
    assert Profile.objects.count() == 1


def test_sign_in_returns_to_the_page_it_started_from(client, providers):
    response = providers.sign_in(client, "kakao", PEOPLE["kakao"], next="/rooms/abc/")
    assert response["Location"] == "/rooms/abc/"


def test_sign_in_never_returns_to_another_site(client, providers):
    response = providers.sign_in(client, "kakao", PEOPLE["kakao"], next="https://evil.example/")
    assert response["Location"] == "/"


def test_two_people_with_the_same_kakao_nickname_get_two_accounts(client, providers):
    from dataclasses import replace

    providers.sign_in(client, "kakao", PEOPLE["kakao"])
    client.post("/accounts/logout/")
    twin = replace(PEOPLE["kakao"], uid="3099999999", email="other@kakao.com")
    providers.sign_in(client, "kakao", twin)
    assert User.objects.count() == 2
    names = set(Profile.objects.values_list("display_name", flat=True))
    assert names == {"홍길동"}  # display names need not be unique; usernames are
    assert len(set(User.objects.values_list("username", flat=True))) == 2


# --- Failures -------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_forged_state_is_rejected_before_any_token_request(client, providers, provider):
    params = providers.start(client, provider)
    forged = {**params, "state": "forged-state-0123456789"}
    callback = f"/accounts/{provider}/login/callback/"

    response = client.get(callback, providers.consent(provider, forged, PEOPLE[provider]))

    assert response.status_code == 401
    assert signed_in_user(client) is None
    assert User.objects.count() == 0
    assert TOKEN[provider] not in providers.calls
    html = response.content.decode()
    assert 'class="site-header"' in html and "auth-error" in html


def test_a_state_from_another_browser_is_rejected(client, providers):
    params = providers.start(visitor_client(), "google")  # someone else's session
    response = client.get(
        "/accounts/google/login/callback/", providers.consent("google", params, PEOPLE["google"])
    )
    assert response.status_code == 401
    assert signed_in_user(client) is None


def test_a_state_works_only_once(client, providers):
    params = providers.start(client, "naver")
    providers_query = providers.consent("naver", params, PEOPLE["naver"])
    client.get("/accounts/naver/login/callback/", providers_query)
    client.post("/accounts/logout/")
    replay = providers.consent("naver", params, PEOPLE["naver"])
    assert client.get("/accounts/naver/login/callback/", replay).status_code == 401


@pytest.mark.parametrize("provider", PROVIDERS)
def test_access_denied_at_the_provider_shows_the_cancelled_page(client, providers, provider):
    params = providers.start(client, provider)
    response = client.get(
        f"/accounts/{provider}/login/callback/",
        {"error": "access_denied", "state": params["state"]},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/3rdparty/login/cancelled/"
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "You cancelled signing in" in html
    assert signed_in_user(client) is None
    assert providers.calls == []


def test_other_provider_errors_show_the_sites_error_page(client, providers):
    params = providers.start(client, "kakao")
    response = client.get(
        "/accounts/kakao/login/callback/",
        {"error": "server_error", "state": params["state"]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 401
    html = response.content.decode()
    assert "Signing in with Kakao did not work" in html
    assert 'class="site-header"' in html


def test_a_code_the_provider_refuses_shows_the_error_page(client, providers):
    params = providers.start(client, "github")
    response = client.get(
        "/accounts/github/login/callback/", {"code": "never-issued", "state": params["state"]}
    )
    assert response.status_code == 401
    assert signed_in_user(client) is None


# --- Sign-out -------------------------------------------------------------------------------


def test_sign_out_is_a_post_and_ends_the_session(client, providers):
    providers.sign_in(client, "google", PEOPLE["google"])
    page = client.get("/accounts/logout/")
    assert page.status_code == 200 and signed_in_user(client) is not None
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user(client) is None


# --- More than one provider -----------------------------------------------------------------


def test_a_signed_in_player_connects_a_second_provider(client, providers):
    providers.sign_in(client, "google", PEOPLE["google"])
    user = signed_in_user(client)
    page = client.get("/accounts/3rdparty/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'action="/accounts/kakao/login/?process=connect"' in page.content.decode()

    response = providers.sign_in(client, "kakao", PEOPLE["kakao"], process="connect")

    assert response.status_code == 302
    assert signed_in_user(client) == user
    assert set(user.socialaccount_set.values_list("provider", flat=True)) == {"google", "kakao"}
    client.post("/accounts/logout/")
    providers.sign_in(client, "kakao", PEOPLE["kakao"])  # either one signs in now
    assert signed_in_user(client) == user


def test_an_email_taken_by_another_account_asks_for_details_on_the_sites_page(client, providers):
    from dataclasses import replace

    providers.sign_in(client, "google", PEOPLE["google"])
    client.post("/accounts/logout/")
    same_email = replace(PEOPLE["kakao"], email=PEOPLE["google"].email)

    response = providers.sign_in(client, "kakao", same_email)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/3rdparty/signup/"
    page = client.get("/accounts/3rdparty/signup/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert 'class="site-header"' in html and "signing in with Kakao for the first time" in html
    taken = client.post(
        "/accounts/3rdparty/signup/",
        {"username": "gildong", "email": PEOPLE["google"].email},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "An account already exists with this email address" in taken.content.decode()
    done = client.post(
        "/accounts/3rdparty/signup/", {"username": "gildong", "email": "gildong@kakao.com"}
    )
    assert done.status_code == 302
    user = signed_in_user(client)
    assert user.username == "gildong" and user.profile.display_name == "홍길동"
    assert User.objects.count() == 2


def test_the_welcome_message_uses_the_display_name(client, providers):
    response = providers.sign_in(client, "naver", PEOPLE["naver"])
    html = client.get(response["Location"]).content.decode()
    messages = html[html.index('<ul class="messages">') :]
    assert "김네이버" in messages[: messages.index("</ul>")]


def test_a_connection_can_be_removed_but_never_the_last_one(client, providers):
    providers.sign_in(client, "google", PEOPLE["google"])
    providers.sign_in(client, "github", PEOPLE["github"], process="connect")
    user = signed_in_user(client)
    google, github = (user.socialaccount_set.get(provider=p) for p in ("google", "github"))

    assert client.post("/accounts/3rdparty/", {"account": github.pk}).status_code == 302
    assert list(user.socialaccount_set.values_list("provider", flat=True)) == ["google"]

    last = client.post("/accounts/3rdparty/", {"account": google.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert last.status_code == 200
    assert "You cannot disconnect your last remaining third-party account" in last.content.decode()
    assert user.socialaccount_set.count() == 1
