"""The lobby and room pages: translated, no inline scripts, data handed over as JSON."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command

from catchmind.middleware import HEADER

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


@pytest.fixture(autouse=True, scope="module")
def _compiled_translations(django_db_blocker):
    with django_db_blocker.unblock():
        call_command("compile_translations", verbosity=0)


def _json_script(html: str, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


@pytest.mark.parametrize("url", ["/", "/r/AbCdEfGhJkMn"])
def test_pages_have_no_inline_code_and_a_csp(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html)
    assert "script-src 'self'" in response.headers[HEADER]
    assert _json_script(html, "ui-strings")["join"]


def test_korean_is_the_default_and_english_follows_accept_language(client):
    ko = client.get("/", HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9").content.decode()
    assert '<html lang="ko">' in ko
    assert "방 만들기" in ko
    assert _json_script(ko, "ui-strings")["join"] == "입장"
    en = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in en
    assert "Create a room" in en


def test_room_page_hands_the_script_its_config(client):
    html = client.get("/r/AbCdEfGhJkMn").content.decode()
    config = _json_script(html, "room-config")
    assert config["code"] == "AbCdEfGhJkMn"
    assert config["websocket"] == "/ws/rooms/AbCdEfGhJkMn/"
    assert config["invite"].endswith("/r/AbCdEfGhJkMn")
    # A guest who never chose a name is asked for one; the session cookie is set for the socket.
    assert config["player"]["needs_name"] is True
    assert client.cookies.get("sessionid")


def test_user_text_in_the_page_is_escaped(client):
    session = client.session
    session["catchmind_nickname"] = "<img src=x onerror=alert(1)>"
    session.save()
    html = client.get("/").content.decode()
    assert "<img src=x" not in html
