// Shared state of the room page: what the server told us, the page's elements, and helpers.
// room.js owns the connection and the message handlers; the room-*.js modules render parts.

import { $ } from "./dom.js";

/** Everything the server told us; replaced wholesale by each snapshot. */
export const S = {
  connected: false,
  terminal: null, // {title, text, retry} once the room is closed to us (kicked, full, ...)
  you: null,
  room: null,
  players: [],
  phase: "connecting",
  round: 0,
  rounds: 0,
  endsAt: null,
  phaseTotal: 0,
  turn: null,
  ranking: null,
  voteKicks: new Map(),
  ai: null,
  strokeId: 0,
  chatIds: new Set(),
  finalShownFor: null,
  settingsPending: false,
  snapshotAsked: true, // the next snapshot answers a new socket or our sync (else: unasked)
};

/** The page's elements, looked up once. */
export const els = {
  room: $("#room"),
  timer: $("#timer"),
  timerValue: $("#timer-value"),
  roundInfo: $("#round-info"),
  phaseLabel: $("#phase-label"),
  wordLabel: $("#word-label"),
  word: $("#word"),
  statusDot: $("#status-dot"),
  players: $("#players"),
  playersCount: $("#players-count"),
  overlay: $("#overlay"),
  toolbarNote: $("#toolbar-note"),
  chatLog: $("#chat-log"),
  chatInput: $("#chat-input"),
  aiBox: $("#ai-thinking"),
  aiLabel: $("#ai-thinking-label"),
  aiGuesses: $("#ai-guesses"),
  chooseDialog: $("#choose-dialog"),
  settingsDialog: $("#settings-dialog"),
  settingsForm: $("#settings-form"),
  settingsButton: $("#settings-button"),
  playerDialog: $("#player-dialog"),
  finalDialog: $("#final-dialog"),
  nameDialog: $("#name-dialog"),
};

/** The socket's send; room.js installs the real one. Returns false when offline. */
export const net = { send: () => false };

export const me = () => S.you?.player_id ?? null;
export const player = (id) => S.players.find((p) => p.id === id) ?? null;
export const nameOf = (id) => player(id)?.name ?? "?";
export const isHost = () => Boolean(S.you && S.room && S.room.host_id === me());
export const isDrawer = () => Boolean(S.turn && S.turn.drawer_id === me());
export const canDraw = () => S.connected && S.phase === "drawing" && isDrawer();
