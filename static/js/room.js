// The room page: one websocket (docs/protocol.md §2), a board, the tools, chat and players.
//
// The server is the only source of truth. Every (re)connect starts with a `snapshot` that
// replaces everything shown here, so a dropped socket just reconnects (with back-off) and the
// page is whole again. Events after the snapshot patch the state and re-render the parts they
// touch; rendering is cheap, so each render function redraws its part completely.

import { api, rememberedName, saveNickname } from "./api.js";
import { BoardView } from "./board.js";
import { bindChatInput } from "./chat-input.js";
import { ServerClock } from "./clock.js";
import { $, copyText, h, toast } from "./dom.js";
import { DrawInput } from "./draw-input.js";
import { readJson, t } from "./i18n.js";
import { chatEntry, chatLine, system } from "./room-chat.js";
import { overlayHooks, renderOverlay, syncDialogs } from "./room-overlay.js";
import { renderPlayers } from "./room-players.js";
import { S, canDraw, els, isDrawer, isHost, me, nameOf, net, player } from "./room-state.js";
import {
  bindSettingsForm,
  fillSettings,
  readSettings,
  setReadonly,
  showErrors,
} from "./settings-form.js";
import { ReconnectingSocket } from "./socket.js";
import { Toolbar } from "./toolbar.js";

const config = readJson("room-config", {});
const clock = new ServerClock();
const send = (message) => net.send(message);

// ---------------------------------------------------------------------------------------------
// board and tools
// ---------------------------------------------------------------------------------------------

const view = new BoardView($("#board"));

function loadBoard(ops) {
  view.load(ops ?? []);
  S.strokeId = view.drawing.maxId;
}

const input = new DrawInput(view, {
  tool: () => toolbar.current(),
  enabled: canDraw,
  send: (ops) => {
    send({ type: "draw", ops });
    renderTools();
  },
  nextId: () => {
    S.strokeId = Math.max(S.strokeId, view.drawing.maxId) + 1;
    return S.strokeId;
  },
});

/** Full length of timed phases (docs/rules.md), for the timer ring after a mid-phase snapshot. */
const PHASE_MS = {
  choosing: () => 15000,
  drawing: (settings) => (settings?.draw_time ?? 80) * 1000,
  reveal: () => 5000,
};

const COLOR_KEYS = [
  "black", "dark grey", "grey", "white", "red", "orange", "amber", "yellow", "light green",
  "green", "teal", "sky blue", "blue", "navy", "purple", "pink", "light pink", "peach",
  "light brown", "brown",
];
const toolbar = new Toolbar($("#toolbar"), {
  undo: () => canDraw() && view.drawing.canUndo && input.push({ op: "undo" }),
  redo: () => canDraw() && view.drawing.canRedo && input.push({ op: "redo" }),
  clear: () => canDraw() && input.push({ op: "clear" }),
  labels: {
    colors: Object.fromEntries(COLOR_KEYS.map((k) => [k, t(`color_${k.replace(" ", "_")}`)])),
    size: (w) => t(`size_${w}`),
  },
});

function renderTools() {
  const enabled = canDraw();
  toolbar.setEnabled(enabled, { canUndo: view.drawing.canUndo, canRedo: view.drawing.canRedo });
  view.canvas.classList.toggle("is-readonly", !enabled);
  let note;
  if (enabled) note = t("your_turn");
  else if ((S.phase === "drawing" || S.phase === "choosing") && S.turn) {
    note = isDrawer() ? t("you_choose") : t("only_drawer", { name: nameOf(S.turn.drawer_id) });
  } else note = t("lobby_tools");
  els.toolbarNote.textContent = note;
}

// ---------------------------------------------------------------------------------------------
// top bar: round, timer, word
// ---------------------------------------------------------------------------------------------

function renderTop() {
  const inGame = ["choosing", "drawing", "reveal"].includes(S.phase);
  els.roundInfo.textContent = inGame
    ? t("round_short", { round: S.round, rounds: S.rounds })
    : t(`phase_${S.phase === "connecting" ? "lobby" : S.phase}`);
  els.phaseLabel.textContent = inGame ? t(`phase_${S.phase}`) : "";
  els.settingsButton.hidden = S.phase !== "lobby" || !S.room;
  renderWord();
  tick();
}

function renderWord() {
  const turn = S.turn;
  els.word.classList.remove("is-secret");
  let label = "";
  let content = [];
  if (S.phase === "drawing" && turn) {
    if (isDrawer()) {
      label = t("draw_this");
      content = [turn.word ?? ""];
      els.word.classList.add("is-secret");
    } else if (turn.word) {
      label = t("you_guessed");
      content = [turn.word];
      els.word.classList.add("is-secret");
    } else {
      const hint = turn.hint ?? "";
      const what = S.you?.role === "waiting" ? t("guess_next_turn") : t("guess_this");
      label = `${what} · ${t("letters", { count: turn.word_length ?? [...hint].length })}`;
      content = hintMask(hint);
    }
  } else if (S.phase === "choosing" && turn) {
    label = isDrawer() ? t("you_choose") : t("is_choosing", { name: nameOf(turn.drawer_id) });
  } else if (S.phase === "reveal" && turn) {
    label = t("word_was");
    content = [turn.reveal?.word ?? turn.word ?? ""];
    els.word.classList.add("is-secret");
  }
  els.wordLabel.textContent = label;
  els.word.replaceChildren(...content);
}

/** The hint as boxes: `_` is an empty slot, spaces and punctuation stay as they are. */
function hintMask(hint) {
  return [...hint].map((ch) =>
    ch === " "
      ? h("span", { class: "hint-space" }, " ")
      : h("span", { class: `hint-char${ch === "_" ? " is-blank" : ""}` }, ch === "_" ? " " : ch),
  );
}

function tick() {
  const timed = S.endsAt && ["choosing", "drawing", "reveal"].includes(S.phase);
  if (!timed) {
    els.timerValue.textContent = "–";
    els.timer.style.setProperty("--p", "1");
    els.timer.classList.remove("urgent");
    return;
  }
  const left = clock.left(S.endsAt);
  const seconds = Math.ceil(left / 1000);
  els.timerValue.textContent = String(seconds);
  const total = S.phaseTotal || left; // set by snapshot (PHASE_MS) and phase (ends_at)
  els.timer.style.setProperty("--p", String(total > 0 ? Math.min(1, left / total) : 0));
  els.timer.classList.toggle("urgent", S.phase === "drawing" && seconds <= 10);
}
setInterval(tick, 250);


// ---------------------------------------------------------------------------------------------
// settings (host, before the game starts)
// ---------------------------------------------------------------------------------------------

bindSettingsForm(els.settingsForm);
els.settingsButton.addEventListener("click", async () => {
  showErrors(els.settingsForm, {});
  await fillSettings(els.settingsForm, S.room?.settings ?? {});
  setReadonly(els.settingsForm, !isHost());
  // The custom words are the answers: players see that there are some, not which.
  const words = els.settingsForm.elements.custom_words;
  words.dataset.placeholder ??= words.placeholder;
  words.placeholder = words.dataset.placeholder;
  if (!isHost()) {
    const count = S.room?.settings?.custom_word_count ?? 0;
    words.value = "";
    words.placeholder = count ? t("custom_words_hidden", { count }) : "";
  }
  $("#settings-save").hidden = !isHost();
  els.settingsDialog.showModal();
});
els.settingsForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!isHost()) return;
  showErrors(els.settingsForm, {});
  S.settingsPending = send({ type: "settings", settings: readSettings(els.settingsForm) });
});


bindChatInput(els.chatInput, (text) => {
  if (!send({ type: "chat", text })) {
    chatLine("is-error", t("send_failed"));
    return false;
  }
  return true;
});

// ---------------------------------------------------------------------------------------------
// AI thinking (docs/protocol.md: ai_thinking)
// ---------------------------------------------------------------------------------------------

function renderAi() {
  const ai = S.ai;
  if (!ai || !S.turn || ai.turn_id !== S.turn.id || !ai.guesses?.length) {
    els.aiBox.hidden = true;
    return;
  }
  els.aiBox.hidden = false;
  els.aiLabel.textContent = t("ai_thinking", { name: nameOf(ai.player_id) });
  els.aiGuesses.replaceChildren(
    ...ai.guesses.slice(0, 3).map((g) => {
      const pct = Math.round(Math.max(0, Math.min(1, Number(g.confidence) || 0)) * 100);
      return h(
        "li",
        { class: "ai-guess" },
        h("span", {}, g.word),
        h("span", { class: "ai-bar", "aria-hidden": "true" }, h("span", { style: { width: `${pct}%` } })),
        h("span", {}, `${pct}%`),
      );
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// messages
// ---------------------------------------------------------------------------------------------

function renderAll() {
  els.room.dataset.state = S.terminal ? "closed" : S.connected ? S.phase : "offline";
  els.room.dataset.phase = S.phase;
  renderTop();
  renderPlayers();
  renderOverlay();
  renderTools();
  renderAi();
  syncDialogs();
}

function applyTurn(turn) {
  const changed = (turn?.id ?? null) !== (S.turn?.id ?? null);
  S.turn = turn ? { ...turn, guessed: turn.guessed ?? [] } : null;
  if (changed || !turn) {
    input.cancel();
    loadBoard(turn?.ops ?? []);
  }
  if (changed && S.ai?.turn_id !== turn?.id) S.ai = null;
}

const handlers = {
  snapshot(m) {
    clock.observe(m.server_time);
    S.you = m.you;
    S.room = m.room;
    S.players = m.players ?? [];
    S.phase = m.phase;
    S.round = m.round;
    S.rounds = m.rounds;
    S.endsAt = m.ends_at;
    S.phaseTotal = PHASE_MS[m.phase]?.(m.room?.settings) ?? 0;
    S.ranking = m.ranking;
    S.finalShownFor = m.phase === "finished" && S.finalShownFor ? m.ranking : S.finalShownFor;
    S.voteKicks = new Map((m.vote_kicks ?? []).map((v) => [v.target_id, v]));
    // Whole view from the snapshot: the drawing too, even of the same turn. Except for an
    // unasked snapshot (the server lost a room message, docs/protocol.md) during our own
    // drawing: our board already has every op we drew, also those still on their way.
    const ownDrawing =
      !S.snapshotAsked && m.turn && m.turn.id === S.turn?.id && m.turn.drawer_id === m.you?.player_id;
    S.snapshotAsked = false;
    S.turn = m.turn ? { ...m.turn, guessed: m.turn.guessed ?? [] } : null;
    if (!ownDrawing) {
      input.cancel();
      loadBoard(m.turn?.ops ?? []);
    }
    els.chatLog.replaceChildren();
    S.chatIds.clear();
    for (const entry of m.chat ?? []) chatEntry(entry);
    els.chatLog.scrollTop = els.chatLog.scrollHeight;
    renderAll();
  },

  phase(m) {
    clock.observe(m.server_time);
    const previous = S.phase;
    S.phase = m.phase;
    // The snapshot's role ("waiting": joined mid-turn) holds for that turn only.
    if (S.you && m.phase !== previous) S.you.role = null;
    S.round = m.round ?? S.round;
    S.rounds = m.rounds ?? S.rounds;
    S.endsAt = m.ends_at;
    S.phaseTotal = m.ends_at && m.server_time ? m.ends_at - m.server_time : 0;
    if (m.players) S.players = m.players;
    S.ranking = m.ranking ?? (m.phase === "finished" ? S.ranking : null);
    applyTurn(m.turn ?? null);
    if (m.phase === "lobby" || m.phase === "choosing") S.voteKicks = S.voteKicks ?? new Map();
    if (m.phase === "drawing" && S.turn) {
      system(t("now_drawing", { name: nameOf(S.turn.drawer_id) }));
      // A phone's keyboard would hide the tools from the new drawer.
      if (isDrawer() && matchMedia("(pointer: coarse)").matches) els.chatInput.blur();
    }
    if (m.phase === "reveal" && S.turn?.reveal?.word) {
      system(`${t("word_was")}: ${S.turn.reveal.word}`);
    }
    if (m.phase === "lobby" && previous === "finished") S.finalShownFor = null;
    renderAll();
  },

  draw(m) {
    if (!S.turn || m.turn_id !== S.turn.id) return;
    view.applyAll(m.ops ?? []);
    S.turn.seq = (m.seq ?? 0) + (m.ops?.length ?? 0);
  },

  hint(m) {
    if (!S.turn || m.turn_id !== S.turn.id || S.turn.word) return;
    S.turn.hint = m.hint;
    renderWord();
  },

  chat: chatEntry,

  close(m) {
    chatLine("is-close", t("close_guess", { text: m.text }));
  },

  guessed(m) {
    const p = player(m.player_id);
    if (p) {
      p.score = m.score;
      p.guessed = true;
    }
    if (S.turn && m.turn_id === S.turn.id) {
      if (!S.turn.guessed.includes(m.player_id)) S.turn.guessed.push(m.player_id);
      if (m.word && m.player_id === me()) {
        S.turn.word = m.word;
        S.turn.hint = null;
        if (S.you) S.you.role = "guessed";
      }
    }
    renderTop();
    renderPlayers();
  },

  player_joined(m) {
    const known = player(m.player.id);
    S.players = S.players.filter((p) => p.id !== m.player.id).concat([m.player]);
    if (!known || !known.connected) system(t("joined", { name: m.player.name }));
    renderPlayers();
    renderOverlay();
  },

  player_left(m) {
    const name = nameOf(m.player_id);
    S.players = S.players.filter((p) => p.id !== m.player_id);
    S.voteKicks.delete(m.player_id);
    const key = { kicked: "kicked_out", timeout: "timed_out" }[m.reason] ?? "left";
    system(t(key, { name }));
    renderPlayers();
    renderOverlay();
  },

  presence(m) {
    const p = player(m.player_id);
    if (p) p.connected = m.connected;
    renderPlayers();
    renderOverlay();
  },

  host(m) {
    if (S.room) S.room.host_id = m.player_id;
    for (const p of S.players) p.is_host = p.id === m.player_id;
    if (S.you) S.you.is_host = m.player_id === me();
    system(t("now_host", { name: nameOf(m.player_id) }));
    renderAll();
  },

  settings(m) {
    if (S.room) S.room.settings = m.settings;
    system(t("settings_saved"));
    if (S.settingsPending && els.settingsDialog.open) els.settingsDialog.close();
    S.settingsPending = false;
    renderAll();
  },

  vote_kick(m) {
    S.voteKicks.set(m.target_id, { votes: m.votes, needed: m.needed });
    system(
      t("vote_started", {
        voter: nameOf(m.voter_id),
        target: nameOf(m.target_id),
        votes: m.votes,
        needed: m.needed,
      }),
    );
    renderPlayers();
  },

  kicked(m) {
    terminal(m.by === "vote" ? t("kicked_by_vote") : t("you_were_kicked"));
  },

  pong(m) {
    clock.pong(m.t, m.server_time);
  },

  ai_thinking(m) {
    S.ai = m;
    renderAi();
  },

  error(m) {
    if (m.ref === "settings" && m.code === "invalid") {
      S.settingsPending = false;
      const errors = {};
      for (const [field, list] of Object.entries(m.errors ?? {})) {
        errors[field] = (Array.isArray(list) ? list : [list]).map((e) => e.message ?? e).join(" ");
      }
      showErrors(els.settingsForm, errors);
      return;
    }
    if (m.ref === "draw" && m.code === "bad_ops") {
      S.snapshotAsked = true;
      send({ type: "sync" }); // realign the board
    }
    if (m.ref === "sync") S.snapshotAsked = false; // refused (rate limit): no snapshot answers it
    // The tail of a stroke that crossed the end of the turn is refused; nothing to tell.
    if (m.ref === "draw" && (m.code === "rate_limited" || !canDraw())) return;
    chatLine("is-error", m.message ?? m.code);
  },
};

// ---------------------------------------------------------------------------------------------
// connection
// ---------------------------------------------------------------------------------------------

let socket = null;
let pingTimer = 0;
let wasConnected = false;

function terminal(text, retryable = false) {
  S.terminal = { text, retry: retryable };
  S.connected = false;
  socket?.stop();
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  renderAll();
}

function retry() {
  S.terminal = null;
  S.phase = "connecting";
  renderAll();
  connect();
}

const CLOSE_CODES = {
  4001: () => terminal(t("replaced"), true),
  4003: () => terminal(S.terminal?.text ?? t("you_were_kicked")),
  4004: () => terminal(t("room_not_found")),
  4009: () => terminal(t("room_full"), true),
};

function ping() {
  send({ type: "ping", t: Date.now() });
}

function connect() {
  net.send = (message) => (socket ? socket.send(message) : false);
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  socket = new ReconnectingSocket(`${scheme}//${window.location.host}${config.websocket}`, {
    onMessage: (m) => handlers[m.type]?.(m),
    onOpen: () => {
      S.connected = true;
      S.snapshotAsked = true; // a new socket starts with its snapshot
      if (wasConnected) toast(t("reconnected"));
      wasConnected = true;
      els.statusDot.classList.remove("is-offline");
      els.statusDot.setAttribute("aria-label", t("online"));
      ping();
      setTimeout(ping, 1000);
      setTimeout(ping, 2500);
      clearInterval(pingTimer);
      pingTimer = setInterval(ping, 15000);
    },
    onClose: ({ code }) => {
      S.connected = false;
      input.cancel();
      els.statusDot.classList.add("is-offline");
      els.statusDot.setAttribute("aria-label", t("offline"));
      clearInterval(pingTimer);
      const stop = CLOSE_CODES[code];
      if (stop) stop();
      else if (code === 4008) toast(t("abusive"));
      else if (!S.terminal) toast(t("reconnecting"));
      renderTools();
      renderPlayers();
    },
  });
  // Test and debugging hook (no secrets here: everything in it came from the server).
  window.catchmind = { socket, state: S, view, clock, receive: (m) => handlers[m.type]?.(m) };
}

// ---------------------------------------------------------------------------------------------
// start: a guest without a nickname picks one first
// ---------------------------------------------------------------------------------------------

async function askName() {
  const form = $("#name-dialog-form");
  const field = $("#name-dialog-input");
  field.value = rememberedName.get();
  els.nameDialog.addEventListener("cancel", (event) => event.preventDefault());
  els.nameDialog.showModal();
  return new Promise((resolve) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = await saveNickname(field.value).catch(() => ({ error: t("network_error") }));
      if (result.error) {
        $("#name-dialog-error").textContent = result.error;
        field.focus();
        return;
      }
      els.nameDialog.close();
      resolve(result.name);
    });
  });
}

async function copyInvite() {
  const ok = await copyText(config.invite, $("#invite-url"));
  toast(ok ? t("copied") : t("copy_failed"));
}
$("#invite-button").addEventListener("click", copyInvite);
overlayHooks.copyInvite = copyInvite;
overlayHooks.retry = retry;

// Phones: keep the layout the height of the visible viewport, so the on-screen keyboard does
// not push the chat input off screen.
function fitViewport() {
  const vv = window.visualViewport;
  if (!vv) return;
  document.documentElement.style.setProperty("--vvh", `${vv.height}px`);
  window.scrollTo(0, 0);
}
// While typing on a phone the site header steps aside (CSS: body.typing, coarse pointers only).
els.chatInput.addEventListener("focus", () => document.body.classList.add("typing"));
els.chatInput.addEventListener("blur", () => document.body.classList.remove("typing"));
window.visualViewport?.addEventListener("resize", fitViewport);
fitViewport();

// Leaving through a link (logo, "Back to the lobby") gives the seat up at once; a reload or a
// lost connection keeps it for the server's grace period instead.
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[href]");
  const newTab = event.ctrlKey || event.metaKey || event.shiftKey || link?.target === "_blank";
  if (link && !newTab && new URL(link.href).pathname !== window.location.pathname && S.connected) {
    send({ type: "leave" });
  }
});

/** A room that does not exist should not first ask for a nickname. */
async function roomExists() {
  try {
    return (await api(config.api)).status !== 404;
  } catch {
    return true; // offline for a moment: the socket will tell
  }
}

renderAll();
if (!(await roomExists())) {
  terminal(t("room_not_found"));
} else {
  if (config.player?.needs_name) await askName();
  connect();
}
