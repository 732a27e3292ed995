// The lobby: public rooms, create a room, join by code, guest nickname.

import { api, fieldErrors, rememberedName, saveNickname } from "./api.js";
import { $, h, toast } from "./dom.js";
import { readJson, t } from "./i18n.js";
import { bindSettingsForm, readSettings, showErrors } from "./settings-form.js";

const player = readJson("player-data", {});
const REFRESH_MS = 5000;

// ---------- nickname ----------
const nameForm = $("#name-form");
const nameError = $("#nickname-error");

async function submitName(name) {
  const result = await saveNickname(name).catch(() => ({ error: t("network_error") }));
  if (result.error) {
    nameError.textContent = result.error;
    return false;
  }
  nameError.textContent = "";
  nameForm.elements.nickname.value = result.name;
  toast(t("name_saved", { name: result.name }));
  return true;
}

if (nameForm) {
  nameForm.addEventListener("submit", (event) => {
    event.preventDefault();
    submitName(nameForm.elements.nickname.value);
  });
  // A guest whose session is new but who picked a name before gets it back silently.
  const remembered = rememberedName.get();
  if (player.needs_name && remembered) {
    nameForm.elements.nickname.value = remembered;
    saveNickname(remembered).catch(() => {});
  }
}

/** Before entering a room make sure a typed but unsaved nickname is saved. */
async function ensureName() {
  if (!nameForm) return true;
  const typed = nameForm.elements.nickname.value.trim();
  if (!typed || typed === player.name) return true;
  const ok = await submitName(typed);
  if (ok) player.name = typed;
  return ok;
}

// ---------- join by code ----------
const joinForm = $("#join-form");
joinForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const raw = joinForm.elements.code.value.trim();
  // Accept a bare code or a pasted invite link.
  const code = (raw.match(/\/r\/([A-Za-z0-9]+)/)?.[1] ?? raw).replace(/[^A-Za-z0-9]/g, "");
  const error = $("#join-error");
  if (!code) {
    error.textContent = t("room_not_found");
    return;
  }
  const { status } = await api(`/api/rooms/${code}`).catch(() => ({ status: 0 }));
  if (status === 404) {
    error.textContent = t("room_not_found");
    return;
  }
  if (!(await ensureName())) return;
  window.location.assign(`/r/${code}`);
});

// ---------- public rooms ----------
const list = $("#room-list");
const empty = $("#rooms-empty");

function roomItem(room) {
  const phase = t(`phase_${room.phase}`);
  const meta = h(
    "div",
    { class: "room-meta" },
    h("span", {}, t("players_count", { players: room.players, max: room.max_players })),
    h("span", { class: `badge ${room.phase === "lobby" ? "badge-phase" : "badge-live"}` }, phase),
    room.phase !== "lobby" && room.phase !== "finished"
      ? h("span", {}, t("round_of", { round: room.round, rounds: room.rounds }))
      : null,
    h("span", {}, t(`lang_${room.language}`)),
    room.ai_enabled ? h("span", { class: "badge badge-ai" }, t("ai_seat")) : null,
  );
  const join = room.full
    ? h("span", { class: "btn btn-small room-join", "aria-disabled": "true" }, t("full"))
    : h(
        "a",
        {
          class: "btn btn-primary room-join",
          href: `/r/${encodeURIComponent(room.code)}`,
          "aria-label": `${t("join")}: ${t("host_label", { name: room.host })}`,
        },
        t("join"),
      );
  join.addEventListener("click", async (event) => {
    if (!nameForm?.elements.nickname.value.trim()) return;
    event.preventDefault();
    if (await ensureName()) window.location.assign(join.href);
  });
  return h(
    "li",
    { class: "room-item", dataset: { code: room.code } },
    h("span", { class: "room-name" }, t("host_label", { name: room.host })),
    join,
    meta,
  );
}

async function refreshRooms() {
  try {
    const { ok, data } = await api("/api/rooms");
    const rooms = ok ? (data?.rooms ?? []) : [];
    list.replaceChildren(...rooms.map(roomItem));
    empty.hidden = rooms.length > 0;
  } catch {
    /* offline for a moment: keep the last list */
  } finally {
    list.setAttribute("aria-busy", "false");
  }
}

$("#rooms-refresh").addEventListener("click", refreshRooms);
refreshRooms();
setInterval(() => {
  if (document.visibilityState === "visible") refreshRooms();
}, REFRESH_MS);

// ---------- create a room ----------
const createForm = $("#create-form");
bindSettingsForm(createForm);
createForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = createForm.querySelector('button[type="submit"]');
  showErrors(createForm, {});
  if (!(await ensureName())) return;
  button.disabled = true;
  const label = button.textContent;
  button.textContent = t("creating");
  try {
    const { ok, data } = await api("/api/rooms", { method: "POST", body: readSettings(createForm) });
    if (ok && data?.room) {
      window.location.assign(data.room.url ?? `/r/${data.room.code}`);
      return;
    }
    showErrors(createForm, fieldErrors(data));
    createForm.querySelector('[aria-invalid="true"]')?.focus();
  } catch {
    showErrors(createForm, { __all__: t("network_error") });
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
});
