"""allauth's "login" rate limit guards the start of every third-party sign-in, counted in the
configured cache (local memory by default, Redis when REDIS_URL is set)."""

from __future__ import annotations

import secrets

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.accounts_support import FakeProviders, provider_settings
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def providers(settings):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings()
    settings.ACCOUNT_RATE_LIMITS = {"login": "3/m/ip"}
    cache.clear()
    with FakeProviders() as fake:
        yield fake
    cache.clear()


def start(client, provider="google", address="192.0.2.10"):
    return client.post(f"/accounts/{provider}/login/", REMOTE_ADDR=address)


def test_too_many_sign_in_starts_from_one_address_get_429(client, providers):
    assert [start(client).status_code for _ in range(3)] == [302, 302, 302]
    response = start(client, "kakao")  # the limit is per address, whichever provider
    assert response.status_code == 429
    html = client.post(
        "/accounts/naver/login/", REMOTE_ADDR="192.0.2.10", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Too many requests" in html and 'class="site-header"' in html
    assert providers.calls == []


def test_other_addresses_are_not_affected(client, providers):
    for _ in range(4):
        start(client)
    assert start(client, address="192.0.2.99").status_code == 302


def test_the_count_lives_in_the_cache(client, providers):
    for _ in range(4):
        start(client)
    assert start(client).status_code == 429
    cache.clear()
    assert start(client).status_code == 302


def test_looking_at_the_confirmation_page_is_not_counted(client, providers):
    for _ in range(5):
        assert client.get("/accounts/google/login/", REMOTE_ADDR="192.0.2.10").status_code == 200
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
