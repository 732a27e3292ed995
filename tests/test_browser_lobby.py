"""The lobby in real Chromium: nickname, public rooms, join by code, language switch."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_lobby_lists_public_rooms_and_joins_by_code(pages):
    host = pages.new()
    host.goto("/")
    expect(host.locator("html")).to_have_attribute("lang", "ko")
    host.fill("#nickname", "영희")
    host.click("#name-form button")
    expect(host.locator("#toast")).to_contain_text("영희")
    host.reload()
    expect(host.locator("#nickname")).to_have_value("영희")
    host.locator("#create-form button[type=submit]").click()  # public by default
    host.wait_for_url(re.compile(r"/r/[A-Za-z0-9]+$"))
    code = host.url.rsplit("/", 1)[1]
    expect(host.locator("#room")).to_have_attribute("data-state", "lobby")

    # Accept-Language picks English; the room shows up in the list.
    guest = pages.new(locale="en-US")
    guest.goto("/")
    expect(guest.locator("html")).to_have_attribute("lang", "en")
    item = guest.locator(f".room-item[data-code='{code}']")
    expect(item).to_contain_text("영희")
    expect(item).to_contain_text("1/8")

    # A wrong code is refused in place; the right one leads into the room.
    guest.fill("#join-code", "NoSuchRoom00")
    guest.click("#join-form button")
    expect(guest.locator("#join-error")).not_to_be_empty()
    guest.fill("#join-code", f"http://example.test/r/{code}")
    guest.click("#join-form button")
    guest.wait_for_url(f"**/r/{code}")
    guest.fill("#name-dialog-input", "Minsu")
    guest.click("#name-dialog-submit")
    expect(host.locator(".player")).to_have_count(2)

    # The nickname is remembered in the browser even when the session is gone.
    guest.context.clear_cookies()
    guest.goto(f"/r/{code}")
    expect(guest.locator("#name-dialog-input")).to_have_value("Minsu")

    # The language switch changes the interface.
    guest.goto("/")
    guest.select_option("#lang-select", "ko")
    expect(guest.locator("html")).to_have_attribute("lang", "ko")
    expect(guest.locator("#create-title")).to_have_text("방 만들기")
    unexpected = [e for e in pages.errors() if "/api/rooms/NoSuchRoom00" not in e]
    assert not unexpected, unexpected


def test_an_unknown_room_says_so_without_asking_for_a_name(pages):
    page = pages.new()
    page.goto("/r/NoSuchRoom00")
    expect(page.locator("#overlay")).to_contain_text("없는 방")
    expect(page.locator("#name-dialog")).to_be_hidden()
    expect(page.locator("#overlay a[href='/']")).to_be_visible()
