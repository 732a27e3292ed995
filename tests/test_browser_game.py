"""The game in real Chromium against a real Daphne: several players, each in their own browser
context (own cookies = own guest), play through the pages as people would."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser_fixtures import ink_counter

pytestmark = pytest.mark.browser

WORDS = "사과, 바나나, 고양이"
#: One jamo away from each answer: "close" by the server's matching rules.
CLOSE = {"사과": "사가", "바나나": "바나니", "고양이": "거양이"}
WRONG = "포도"

# The board's pixels that are not white: the cheapest proof that ink arrived.
INK = ink_counter("board")

# The board shrunk to 64x48 grey levels: two boards show the same drawing when these agree.
SIGNATURE = """() => {
  const c = document.getElementById('board');
  const s = document.createElement('canvas');
  s.width = 64; s.height = 48;
  const x = s.getContext('2d');
  x.drawImage(c, 0, 0, 64, 48);
  const d = x.getImageData(0, 0, 64, 48).data;
  const out = [];
  for (let i = 0; i < d.length; i += 4) out.push(Math.round((d[i] + d[i + 1] + d[i + 2]) / 3));
  return out;
}"""


def same_picture(a: list[int], b: list[int]) -> bool:
    """At most a handful of the 3072 small pixels differ (anti-aliasing, rounding)."""
    return len(a) == len(b) and sum(abs(x - y) > 60 for x, y in zip(a, b, strict=True)) <= 6


# ---------------------------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------------------------


def create_room(page: Page, name: str, *, words: str = WORDS) -> str:
    """The host creates a room from the lobby; returns the invite URL."""
    page.goto("/")
    page.fill("#nickname", name)
    form = page.locator("#create-form")
    form.locator("select[name=draw_time]").select_option("30")
    form.locator("select[name=rounds]").select_option("1")
    form.locator("select[name=word_choices]").select_option("1")
    form.locator("textarea[name=custom_words]").fill(words)
    form.locator("input[name=custom_words_only]").check()
    form.locator("input[name=public]").uncheck()
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/r/[A-Za-z0-9]+$"))
    expect(page.locator("#room")).to_have_attribute("data-state", "lobby")
    return page.url


def join(page: Page, invite: str, name: str) -> None:
    """A guest opens the invite link, gives a nickname and takes a seat."""
    page.goto(invite)
    dialog = page.locator("#name-dialog")
    expect(dialog).to_be_visible()
    page.fill("#name-dialog-input", name)
    page.click("#name-dialog-submit")
    expect(page.locator("#room")).to_have_attribute(
        "data-state", re.compile(r"lobby|choosing|drawing|reveal")
    )


def wait_phase(pages: list[Page], phase: str, timeout: float = 5000) -> None:
    for page in pages:
        expect(page.locator("#room")).to_have_attribute("data-phase", phase, timeout=timeout)


def is_drawer(page: Page) -> bool:
    return page.evaluate(
        "() => { const s = window.catchmind.state;"
        " return !!s.turn && s.turn.drawer_id === s.you.player_id; }"
    )


def start_and_choose(host: Page, players: list[Page]) -> tuple[Page, str]:
    """The host starts; the drawer picks the word. Returns (drawer page, word)."""
    host.click("#start-button")
    wait_phase(players, "choosing")
    drawer = next(p for p in players if is_drawer(p))
    expect(drawer.locator("#choose-dialog")).to_be_visible()
    # The dialog takes the focus, so the keyboard alone can pick the word.
    expect(drawer.locator("#word-choices button").first).to_be_focused()
    drawer.keyboard.press("Enter")
    wait_phase(players, "drawing")
    word = drawer.locator("#word").inner_text().strip()
    assert word in CLOSE, word
    return drawer, word


def board_point(page: Page, fx: float, fy: float) -> tuple[float, float]:
    box = page.locator("#board").bounding_box()
    return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy


def drawing_turn_of_two(pages) -> tuple[Page, Page, str]:
    """A host and a guest in a room, the turn started and its word chosen:
    (drawer, the other player, invite URL)."""
    host = pages.new()
    invite = create_room(host, "방장")
    guest = pages.new()
    join(guest, invite, "민수")
    drawer, _word = start_and_choose(host, [host, guest])
    return drawer, guest if drawer is host else host, invite


def stroke(page: Page, points: list[tuple[float, float]], *, release: bool = True) -> None:
    """Draw with the mouse through board fractions (0..1)."""
    x, y = board_point(page, *points[0])
    page.mouse.move(x, y)
    page.mouse.down()
    for fx, fy in points[1:]:
        x, y = board_point(page, fx, fy)
        page.mouse.move(x, y, steps=6)
    if release:
        page.mouse.up()


def say(page: Page, text: str) -> None:
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")


def score_of(page: Page, name: str) -> int:
    row = page.locator(".player", has_text=name)
    return int(re.sub(r"\D", "", row.locator(".player-score").first.inner_text().split("\n")[0]))


def no_csp_violations(pages) -> None:
    violations = [line for line in pages.console if "Content Security Policy" in line]
    assert not violations, violations


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------


def test_three_players_play_a_whole_turn(pages):
    host = pages.new()
    invite = create_room(host, "방장")
    a = pages.new()
    b = pages.new(locale="en-US")
    join(a, invite, "철수")
    join(b, invite, "Younghee")
    players = [host, a, b]
    for page in players:
        expect(page.locator(".player")).to_have_count(3)

    drawer, word = start_and_choose(host, players)
    guessers = [p for p in players if p is not drawer]
    # The drawer sees the word, the guessers only its mask.
    for page in guessers:
        expect(page.locator("#word .hint-char")).to_have_count(len(word))
        expect(page.locator("#toolbar")).to_have_attribute("aria-disabled", "true")
    expect(drawer.locator("#toolbar")).to_have_attribute("aria-disabled", "false")

    # Strokes appear for the others while the mouse is still down.
    before = guessers[0].evaluate(INK)
    stroke(drawer, [(0.2, 0.3), (0.5, 0.6), (0.8, 0.3)], release=False)
    guessers[0].wait_for_function(f"() => ({INK})() > {before + 50}")
    drawer.mouse.up()
    for page in guessers:
        page.wait_for_function(f"() => ({INK})() > 50")

    first, second = guessers
    first_name = first.evaluate("() => window.catchmind.state.you.name")
    # Wrong: everyone reads it. Close: only the guesser is told. Right: never shown as text.
    say(first, WRONG)
    for page in players:
        expect(page.locator(".chat-text", has_text=WRONG)).to_have_count(1)
    say(first, CLOSE[word])
    expect(first.locator(".chat-line.is-close")).to_have_count(1)
    expect(second.locator(".chat-line", has_text=CLOSE[word])).to_have_count(0)
    say(first, word)
    for page in players:
        expect(page.locator(".chat-line.is-correct")).to_have_count(1)
        expect(page.locator(".chat-text", has_text=word)).to_have_count(0)
        expect(page.locator(".player.has-guessed")).to_have_count(1)
    expect(first.locator("#word")).to_have_text(word)
    for page in players:
        assert score_of(page, first_name) > 0

    # The last guesser ends the turn early: everyone sees the reveal with the word.
    say(second, word)
    wait_phase(players, "reveal")
    for page in players:
        expect(page.locator("#reveal-word")).to_have_text(word)
        expect(page.locator(".overlay-scores .gain").first).to_be_visible()
    assert not pages.dialogs
    no_csp_violations(pages)


# A snapshot of the running turn as the server would send it, but with no ops yet: the
# server's read missed the drawer's last strokes (they were still on their way).
STALE_SNAPSHOT = """(asked) => {
  const c = window.catchmind, S = c.state;
  if (asked) S.snapshotAsked = true;
  c.receive({type: "snapshot", server_time: Date.now(), you: S.you, room: S.room,
    players: S.players, phase: S.phase, round: S.round, rounds: S.rounds, ends_at: S.endsAt,
    ranking: S.ranking, vote_kicks: [], turn: {...S.turn, ops: [], seq: 0}, chat: []});
}"""


def test_an_unasked_snapshot_keeps_the_drawers_own_strokes(pages):
    """The server re-sends a snapshot when it lost a room message (docs/protocol.md). The
    drawer's board has every op they drew, also those the snapshot's read missed, so it keeps
    them; a guesser's board, and a snapshot the drawer asked for, follow the server."""
    drawer, guesser, _invite = drawing_turn_of_two(pages)
    stroke(drawer, [(0.2, 0.3), (0.5, 0.6), (0.8, 0.3)])
    guesser.wait_for_function(f"() => ({INK})() > 50")

    drawer.evaluate(STALE_SNAPSHOT, False)
    assert drawer.evaluate(INK) > 50
    guesser.evaluate(STALE_SNAPSHOT, False)
    assert guesser.evaluate(INK) == 0
    drawer.evaluate(STALE_SNAPSHOT, True)
    assert drawer.evaluate(INK) == 0

    # A refused sync (rate limit) gets no snapshot: the next one is unasked again.
    drawer.evaluate("""() => {
      const c = window.catchmind;
      c.state.snapshotAsked = true;
      c.receive({type: "error", ref: "sync", code: "rate_limited", message: "slow down"});
    }""")
    assert drawer.evaluate("() => window.catchmind.state.snapshotAsked") is False


def test_undo_clear_late_joiner_reload_and_reconnect_show_the_same_drawing(pages):
    drawer, viewer, invite = drawing_turn_of_two(pages)

    drawer.click("[data-width='90']")
    stroke(drawer, [(0.1, 0.1), (0.4, 0.4)])
    stroke(drawer, [(0.6, 0.2), (0.9, 0.8)])
    viewer.wait_for_function("() => window.catchmind.view.drawing.visible().length === 2")
    two = drawer.evaluate(SIGNATURE)
    assert same_picture(viewer.evaluate(SIGNATURE), two)

    drawer.click("#undo")
    viewer.wait_for_function("() => window.catchmind.view.drawing.visible().length === 1")
    one = drawer.evaluate(SIGNATURE)
    assert not same_picture(one, two)
    assert same_picture(viewer.evaluate(SIGNATURE), one)

    drawer.click("#redo")
    viewer.wait_for_function("() => window.catchmind.view.drawing.visible().length === 2")
    assert same_picture(viewer.evaluate(SIGNATURE), two)

    drawer.click("#clear")
    viewer.wait_for_function(f"() => ({INK})() === 0")
    drawer.click("#undo")  # a clear can be undone
    viewer.wait_for_function("() => window.catchmind.view.drawing.visible().length === 2")

    # A player arriving mid-turn and a reloaded page rebuild the same picture from the snapshot.
    late = pages.new()
    join(late, invite, "늦게온사람")
    expect(late.locator("#room")).to_have_attribute("data-phase", "drawing")
    late.wait_for_function("() => window.catchmind.view.drawing.visible().length === 2")
    assert same_picture(late.evaluate(SIGNATURE), two)

    viewer.reload()
    expect(viewer.locator("#room")).to_have_attribute("data-phase", "drawing")
    viewer.wait_for_function("() => window.catchmind.view.drawing.visible().length === 2")
    assert same_picture(viewer.evaluate(SIGNATURE), two)

    # A resized window redraws the same picture at the new size.
    width = viewer.evaluate("() => document.getElementById('board').width")
    viewer.set_viewport_size({"width": 900, "height": 700})
    viewer.wait_for_function(f"() => document.getElementById('board').width !== {width}")
    assert same_picture(viewer.evaluate(SIGNATURE), two)
    viewer.set_viewport_size({"width": 1280, "height": 800})

    # A dropped socket reconnects by itself and the snapshot restores the whole view.
    viewer.evaluate("() => window.catchmind.socket.drop()")
    expect(viewer.locator("#status-dot")).to_have_class(re.compile("is-offline"))
    expect(viewer.locator("#status-dot")).not_to_have_class(re.compile("is-offline"), timeout=8000)
    viewer.wait_for_function("() => window.catchmind.view.drawing.visible().length === 2")
    assert same_picture(viewer.evaluate(SIGNATURE), two)
    no_csp_violations(pages)


def touch_stroke(page: Page, points: list[tuple[float, float]]) -> None:
    """A finger drag through Chrome's DevTools protocol (Playwright only taps)."""
    cdp = page.context.new_cdp_session(page)
    coords = [board_point(page, fx, fy) for fx, fy in points]
    x, y = coords[0]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for x, y in coords[1:]:
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_phone_can_draw_with_a_finger(pages):
    desk = pages.new()
    invite = create_room(desk, "데스크")
    phone = pages.new(phone=True)
    join(phone, invite, "폰")
    drawer, word = start_and_choose(desk, [desk, phone])
    if drawer is not phone:
        # Let the phone guess, which ends the turn; the next turn is the phone's.
        say(phone, word)
        wait_phase([desk, phone], "choosing", timeout=10000)  # after the 5 s reveal
        assert is_drawer(phone)
        phone.locator("#word-choices button").first.click()
        wait_phase([desk, phone], "drawing")

    scroll_before = phone.evaluate("() => [window.scrollX, window.scrollY]")
    points = [(0.2 + 0.03 * i, 0.3 + 0.02 * i) for i in range(20)]
    touch_stroke(phone, points)
    desk.wait_for_function(f"() => ({INK})() > 50")
    assert phone.evaluate(INK) > 50
    assert phone.evaluate("() => [window.scrollX, window.scrollY]") == scroll_before
    assert phone.locator("#board").evaluate("el => getComputedStyle(el).touchAction") == "none"
    no_csp_violations(pages)


def test_korean_ime_composition_does_not_send_early(pages):
    host = pages.new()
    invite = create_room(host, "방장")
    other = pages.new()
    join(other, invite, "수진")
    field = other.locator("#chat-input")

    # Composing 사: the Enter that belongs to the IME must not send anything.
    field.evaluate(
        """el => {
          el.focus();
          el.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}));
          el.value = '사';
          el.dispatchEvent(new CompositionEvent('compositionupdate', {data: '사'}));
          for (const init of [{isComposing: true}, {keyCode: 229}]) {
            el.dispatchEvent(new KeyboardEvent('keydown',
              {key: 'Enter', code: 'Enter', bubbles: true, cancelable: true, ...init}));
          }
        }"""
    )
    host.wait_for_timeout(300)
    expect(host.locator(".chat-text")).to_have_count(0)
    expect(field).to_have_value("사")

    # The IME commits the syllable, then a real Enter sends it once.
    field.evaluate(
        """el => {
          el.value = '사과';
          el.dispatchEvent(new CompositionEvent('compositionend', {data: '과'}));
        }"""
    )
    field.press("Enter")
    expect(host.locator(".chat-text", has_text="사과")).to_have_count(1)
    expect(field).to_have_value("")

    # The same through Chrome's own IME path.
    cdp = other.context.new_cdp_session(other)
    field.focus()
    cdp.send("Input.imeSetComposition", {"text": "ㅂ", "selectionStart": 1, "selectionEnd": 1})
    cdp.send("Input.imeSetComposition", {"text": "바", "selectionStart": 1, "selectionEnd": 1})
    cdp.send("Input.insertText", {"text": "바"})
    field.press("Enter")
    expect(host.locator(".chat-text", has_text="바")).to_have_count(1)
    assert host.locator(".chat-text").all_inner_texts() == ["사과", "바"]
    no_csp_violations(pages)


def test_chat_markup_is_shown_as_text(pages):
    host = pages.new()
    invite = create_room(host, "방장")
    other = pages.new()
    join(other, invite, "<b>굵게</b>")
    attack = "<img src=x onerror=alert(1)>"
    say(other, attack)
    for page in (host, other):
        expect(page.locator(".chat-text", has_text=attack)).to_have_count(1)
        expect(page.locator("#chat-log img")).to_have_count(0)
        expect(page.locator(".player-name", has_text="<b>굵게</b>")).to_have_count(1)
        expect(page.locator("#players b")).to_have_count(0)
    host.wait_for_timeout(300)
    assert not pages.dialogs

    # Leaving through a link gives the seat up at once (a reload would keep it).
    other.click(".brand")
    expect(host.locator(".player")).to_have_count(1)
    no_csp_violations(pages)


def test_csp_header_and_no_violations_on_the_pages(pages, admin_login):
    page = pages.new()
    for path in ("/", "/admin/login/"):
        response = page.goto(path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]
    invite = create_room(page, "방장")
    response = page.goto(invite)
    assert "content-security-policy" in response.headers
    expect(page.locator("#room")).to_have_attribute("data-state", "lobby")

    # The admin keeps working under the policy: sign in, lists, a change form, an add form.
    admin = pages.new()
    admin.goto("/admin/login/")
    admin.fill("#id_username", admin_login[0])
    admin.fill("#id_password", admin_login[1])
    admin.locator("input[type=submit]").click()
    expect(admin.locator("#site-name")).to_be_visible()
    admin.goto("/admin/game/room/")
    admin.locator("#result_list tbody a").first.click()
    expect(admin.locator("#content-main form")).to_be_visible()
    admin.goto("/admin/auth/user/add/")
    expect(admin.locator("#id_username")).to_be_visible()
    no_csp_violations(pages)
    assert not pages.errors(), pages.errors()


def test_ai_seat_thinking_and_a_timer_that_ignores_a_wrong_local_clock(pages):
    # This browser's clock is an hour fast; the countdown must still follow the server.
    host = pages.new(clock_skew_ms=3_600_000)
    host.goto("/")
    host.fill("#nickname", "혼자")
    form = host.locator("#create-form")
    form.locator("textarea[name=custom_words]").fill(WORDS)
    form.locator("input[name=custom_words_only]").check()
    form.locator("select[name=word_choices]").select_option("1")
    form.locator("input[name=public]").uncheck()
    form.locator("input[name=ai_enabled]").check()
    form.locator("select[name=draw_time]").select_option("30")
    form.locator("button[type=submit]").click()
    host.wait_for_url(re.compile(r"/r/[A-Za-z0-9]+$"))
    ai_row = host.locator(".player", has=host.locator(".badge-ai"))
    expect(ai_row).to_have_count(1)

    # One human may play against the AI.
    host.click("#start-button")
    wait_phase([host], "choosing")
    host.locator("#word-choices button").first.click()
    wait_phase([host], "drawing")
    host.wait_for_timeout(1500)  # a few ping/pong round trips
    left = int(host.locator("#timer-value").inner_text())
    assert 24 <= left <= 30, left
    # The server sends the AI's top 3 to those who know the word; the page shows them as text.
    host.evaluate(
        """() => {
          const s = window.catchmind.state;
          const ai = s.players.find((p) => p.is_ai);
          window.catchmind.receive({type: 'ai_thinking', turn_id: s.turn.id, player_id: ai.id,
            guesses: [{word: '<b>사과</b>', confidence: 0.62}, {word: '체리', confidence: 0.21},
                      {word: '토마토', confidence: 0.08}]});
        }"""
    )
    box = host.locator("#ai-thinking")
    expect(box).to_be_visible()
    expect(box.locator(".ai-guess")).to_have_count(3)
    expect(box).to_contain_text("<b>사과</b>")
    expect(box).to_contain_text("62%")
    expect(box.locator("b")).to_have_count(0)
    no_csp_violations(pages)


def test_host_settings_vote_kick_and_kick(pages):
    host = pages.new()
    invite = create_room(host, "방장")
    a = pages.new()
    b = pages.new()
    join(a, invite, "가나")
    join(b, invite, "다라")

    # Settings before the start: the host changes them, everyone is told.
    host.click("#settings-button")
    dialog = host.locator("#settings-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("select[name=rounds]").select_option("5")
    dialog.locator("#settings-save").click()
    expect(dialog).to_be_hidden()
    for page in (host, a, b):
        expect(
            page.locator("#chat-log .is-system", has_text=re.compile("설정|settings"))
        ).to_have_count(1)
    a.click("#settings-button")
    expect(a.locator("#settings-dialog select[name=rounds]")).to_have_value("5")
    expect(a.locator("#settings-dialog select[name=rounds]")).to_be_disabled()
    # The room's custom words are its answers: players do not get to read them.
    expect(a.locator("#settings-dialog textarea[name=custom_words]")).to_have_value("")
    a.click("#settings-dialog [data-close]")

    # Two of three vote: 다라 is out, and their page says so.
    a.locator(".player-name-button", has_text="다라").click()
    expect(a.locator("#kick-button")).to_be_hidden()
    a.click("#vote-kick-button")
    expect(host.locator(".player", has_text="다라")).to_contain_text("1/2")
    host.locator(".player-name-button", has_text="다라").click()
    host.click("#vote-kick-button")
    expect(b.locator("#overlay")).to_contain_text("투표")
    for page in (host, a):
        expect(page.locator(".player")).to_have_count(2)

    # The host kicks directly.
    host.locator(".player-name-button", has_text="가나").click()
    host.click("#kick-button")
    expect(a.locator("#room")).to_have_attribute("data-state", "closed")
    expect(host.locator(".player")).to_have_count(1)
    no_csp_violations(pages)


def test_final_ranking_and_restart(pages):
    host = pages.new()
    invite = create_room(host, "방장")  # one round: each of the two players draws once
    guest = pages.new()
    join(guest, invite, "손님")
    players = [host, guest]
    host.click("#start-button")
    for _turn in range(2):
        wait_phase(players, "choosing", timeout=10000)
        drawer = next(p for p in players if is_drawer(p))
        drawer.locator("#word-choices button").first.click()
        wait_phase(players, "drawing")
        word = drawer.locator("#word").inner_text().strip()
        say(next(p for p in players if p is not drawer), word)
        wait_phase(players, "reveal")

    wait_phase(players, "finished", timeout=10000)
    for page in players:
        dialog = page.locator("#final-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.locator(".ranking li")).to_have_count(2)
    expect(guest.locator("#restart-button")).to_be_hidden()
    host.click("#restart-button")
    wait_phase(players, "lobby")
    for page in players:
        expect(page.locator("#final-dialog")).to_be_hidden()
        expect(page.locator(".player-score").first).to_have_text(re.compile(r"^0"))
    no_csp_violations(pages)
