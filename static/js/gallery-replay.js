// Stroke-by-stroke replay of a saved drawing at the pace it was drawn.
//
// The ops and the time of each op (ms since the drawing started, computed by the server from
// when the game stored each stroke) come from the drawing's replay.json. Drawing is done by
// board.js, the same replay module the room uses, so the replay looks exactly like the game.
// Controls: play/pause, speed, a scrubber; the guess timeline beside it lights up as the
// replay passes each guess, and clicking a guess jumps there.

import { BoardView, Drawing } from "./board.js";

const config = JSON.parse(document.getElementById("g-replay").textContent);
const canvas = document.getElementById("g-canvas");
const still = document.getElementById("g-still");
const controls = document.getElementById("g-controls");
const playButton = document.getElementById("g-play");
const scrub = document.getElementById("g-scrub");
const timeOut = document.getElementById("g-time");
const speedSelect = document.getElementById("g-speed");
const events = [...document.querySelectorAll("#g-timeline [data-t]")];

const state = {
  ops: [],
  times: [],
  duration: 0,
  t: 0, // replay position, ms
  applied: 0, // ops drawn on the canvas
  playing: false,
  speed: 1,
  last: null, // timestamp of the previous animation frame
};
let view = null;

function clockText(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

for (const at of document.querySelectorAll(".g-at[data-ms]")) {
  at.textContent = clockText(Number(at.dataset.ms));
}

/** How many ops are visible at time t. */
function countAt(t) {
  let lo = 0;
  let hi = state.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (state.times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function show(t) {
  state.t = Math.min(Math.max(t, 0), state.duration);
  const target = countAt(state.t);
  if (target < state.applied) {
    view.load(state.ops.slice(0, target));
  } else {
    for (let i = state.applied; i < target; i++) view.apply(state.ops[i]);
  }
  state.applied = target;
  scrub.value = String(Math.round(state.t));
  timeOut.textContent = clockText(state.t);
  for (const li of events) li.classList.toggle("is-past", Number(li.dataset.t) <= state.t);
}

function setPlaying(playing) {
  state.playing = playing;
  state.last = null;
  playButton.textContent = playing ? playButton.dataset.pause : playButton.dataset.play;
  playButton.setAttribute("aria-pressed", String(playing));
  if (playing) requestAnimationFrame(frame);
}

function frame(now) {
  if (!state.playing) return;
  if (state.last !== null) show(state.t + (now - state.last) * state.speed);
  state.last = now;
  if (state.t >= state.duration) {
    setPlaying(false);
    return;
  }
  requestAnimationFrame(frame);
}

async function start() {
  let data;
  try {
    const response = await fetch(config.data, { credentials: "same-origin" });
    if (!response.ok) return; // the still picture stays
    data = await response.json();
  } catch {
    return;
  }
  state.ops = data.ops;
  state.times = data.times;
  // Until the last stroke or the last guess, whichever comes later.
  const lastOp = state.times.length ? state.times[state.times.length - 1] : 0;
  const lastEvent = Math.max(0, ...events.map((li) => Number(li.dataset.t) || 0));
  state.duration = Math.max(lastOp, Math.min(lastEvent, config.duration || lastEvent), 1);
  scrub.max = String(state.duration);
  canvas.hidden = false;
  still.hidden = true;
  controls.hidden = false;
  view = new BoardView(canvas, new Drawing());
  show(0);
  setPlaying(!window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  if (!state.playing) show(state.duration);
}

playButton.addEventListener("click", () => {
  if (!view) return;
  if (!state.playing && state.t >= state.duration) show(0);
  setPlaying(!state.playing);
});

scrub.addEventListener("input", () => {
  if (!view) return;
  show(Number(scrub.value));
});

speedSelect.addEventListener("change", () => {
  state.speed = Number(speedSelect.value) || 1;
});

// A guess in the timeline jumps the replay to that moment (click, Enter or Space).
for (const li of events) {
  const seek = () => {
    if (view) show(Number(li.dataset.t));
  };
  li.tabIndex = 0;
  li.addEventListener("click", seek);
  li.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      seek();
    }
  });
}

start();
