"""/healthz tells a load balancer whether this process can really serve players."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from django.db import connection

from catchmind.asgi import application

BROKEN_LAYER = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
    }
}


@pytest.mark.django_db
def test_healthz_is_ok_when_database_and_channel_layer_work(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["channel_layer"]["ok"] is True


@pytest.fixture
def broken_database():
    """Point the live connection at a database that cannot be reached, then mend it."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/folder/db.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_a_broken_database_as_503(client, broken_database):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["channel_layer"]["ok"] is True


@pytest.mark.django_db
def test_healthz_reports_a_broken_channel_layer_as_503(client, settings):
    settings.CHANNEL_LAYERS = BROKEN_LAYER
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["channel_layer"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_healthz_hides_error_details_when_not_debugging(client, settings):
    settings.DEBUG = False
    settings.CHANNEL_LAYERS = BROKEN_LAYER
    body = client.get("/healthz").json()
    assert "127.0.0.1" not in str(body)


async def _connect(origin: bytes | None) -> bool:
    headers = [(b"origin", origin)] if origin else []
    communicator = WebsocketCommunicator(application, "/ws/healthz/", headers=headers)
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return connected


async def test_websocket_from_an_allowed_origin_is_accepted():
    assert await _connect(b"http://127.0.0.1:8000")


@pytest.mark.parametrize("origin", [b"http://evil.example", b"null", None])
async def test_websocket_without_an_allowed_origin_is_refused(origin):
    assert not await _connect(origin)


@pytest.mark.django_db
def test_admin_login_page_is_served(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
