"""allauth's "login" rate limit guards the start of every third-party sign-in, counted in the
configured cache (local memory by default, Redis when REDIS_URL is set)."""

from __future__ import annotations

import secrets

import pytest
from allauth.core.internal import ratelimit
from django.test import RequestFactory, override_settings

from tests.accounts_support import visitor_client
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """One visitor at an address no other test uses (the limit counts per address)."""
    return visitor_client()


@pytest.fixture
def providers(providers, settings):
    """The shared fake providers, with a low sign-in limit."""
    settings.ACCOUNT_RATE_LIMITS = {"login": "3/m/ip"}
    return providers


def start(client, provider="google", **extra):
    return client.post(f"/accounts/{provider}/login/", **extra)


def test_too_many_sign_in_starts_from_one_address_get_429(client, providers):
    assert [start(client).status_code for _ in range(3)] == [302, 302, 302]
    response = start(client, "kakao")  # the limit is per address, whichever provider
    assert response.status_code == 429
    html = start(client, "naver", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Too many requests" in html and 'class="site-header"' in html
    assert providers.calls == []


def test_other_addresses_are_not_affected(client, providers):
    for _ in range(4):
        start(client)
    assert start(visitor_client()).status_code == 302


def test_the_count_lives_in_the_cache(client, providers):
    for _ in range(4):
        start(client)
    assert start(client).status_code == 429
    same_address = RequestFactory().post("/", REMOTE_ADDR=client.defaults["REMOTE_ADDR"])
    ratelimit.clear(same_address, app="allauth.account", action="login")
    assert start(client).status_code == 302


def test_looking_at_the_confirmation_page_is_not_counted(client, providers):
    for _ in range(5):
        assert client.get("/accounts/google/login/").status_code == 200
    assert start(client).status_code == 302


@pytest.mark.services
def test_the_limit_holds_across_processes_through_redis(client, providers):
    """Every Daphne process shares the counters when the cache is Redis."""
    import redis

    prefix = f"test-rl-{secrets.token_hex(4)}"
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    server = redis.Redis.from_url(REDIS_URL)
    try:
        with override_settings(CACHES=redis_cache):
            assert [start(client).status_code for _ in range(4)] == [302, 302, 302, 429]
            keys = [k.decode() for k in server.scan_iter(f"{prefix}:*")]
            assert any("allauth:rl:allauth.account:login" in k for k in keys), keys
    finally:
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)
