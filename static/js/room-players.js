// The player list: rank, name, badges, score; a name opens the kick / vote-kick dialog.

import { $, h } from "./dom.js";
import { t } from "./i18n.js";
import { icon } from "./icons.js";
import { S, els, isHost, me, net, player } from "./room-state.js";


function ranked(players) {
  const sorted = [...players].sort((a, b) => b.score - a.score || a.id - b.id);
  let rank = 0;
  let last = null;
  return sorted.map((p, i) => {
    if (p.score !== last) rank = i + 1;
    last = p.score;
    return { ...p, rank };
  });
}

export function renderPlayers() {
  const guessed = new Set(S.turn?.guessed ?? []);
  const points = S.phase === "reveal" ? (S.turn?.reveal?.points ?? {}) : {};
  const max = S.room?.settings?.max_players;
  els.playersCount.textContent = max ? `${S.players.length}/${max}` : String(S.players.length);
  els.players.replaceChildren(
    ...ranked(S.players).map((p) => {
      const drawing = S.turn && S.turn.drawer_id === p.id && ["choosing", "drawing"].includes(S.phase);
      const hasGuessed = guessed.has(p.id) || p.guessed;
      const actions = playerActions(p);
      const label = [p.name, p.id === me() ? ` ${t("you")}` : ""];
      const name = actions.length
        ? h(
            "button",
            {
              type: "button",
              class: "player-name player-name-button",
              title: t("player_actions", { name: p.name }),
              "aria-haspopup": "dialog",
              onclick: () => openPlayerDialog(p.id),
            },
            ...label,
          )
        : h("span", { class: "player-name" }, ...label);
      const li = h(
        "li",
        {
          class: [
            "player",
            p.id === me() && "is-me",
            drawing && "is-drawing",
            hasGuessed && S.phase === "drawing" && "has-guessed",
            !p.connected && "is-offline",
          ]
            .filter(Boolean)
            .join(" "),
          dataset: { playerId: p.id },
        },
        h("span", { class: "player-rank" }, `#${p.rank}`),
        h(
          "div",
          { class: "player-main" },
          p.badge
            ? h(
                "span",
                {
                  class: "player-avatar",
                  style: { "--avatar": p.badge.color },
                  title: t("signed_in"),
                  role: "img",
                  "aria-label": t("signed_in"),
                },
                p.badge.emoji,
              )
            : null,
          name,
          h(
            "span",
            { class: "player-sub" },
            p.is_ai ? h("span", { class: "badge badge-ai" }, t("ai")) : null,
            p.is_host ? h("span", { class: "badge badge-host" }, t("host")) : null,
            drawing
              ? h("span", { class: "player-state is-drawing" }, icon("pencil"), t("drawing_now"))
              : null,
            hasGuessed && S.phase === "drawing"
              ? h("span", { class: "player-state is-guessed" }, icon("check"), t("guessed_now"))
              : null,
            !p.connected ? h("span", { class: "player-state" }, icon("plug"), t("offline")) : null,
            S.voteKicks.has(p.id) ? h("span", {}, t("votes", S.voteKicks.get(p.id))) : null,
          ),
        ),
        h(
          "span",
          { class: "player-score" },
          t("points", { points: p.score }),
          points[p.id] ? h("span", { class: "player-gain" }, `+${points[p.id]}`) : null,
        ),
      );
      return li;
    }),
  );
}

function playerActions(p) {
  if (!S.you || p.id === me() || !S.connected) return [];
  const actions = [];
  if (isHost()) actions.push("kick");
  if (!p.is_ai) actions.push("vote");
  return actions;
}

let dialogTarget = null;
function openPlayerDialog(id) {
  const p = player(id);
  if (!p) return;
  dialogTarget = id;
  const actions = playerActions(p);
  $("#player-dialog-title").textContent = t("player_actions", { name: p.name });
  const votes = S.voteKicks.get(id);
  $("#player-dialog-votes").textContent = votes ? t("votes", votes) : "";
  $("#kick-button").hidden = !actions.includes("kick");
  $("#vote-kick-button").hidden = !actions.includes("vote");
  els.playerDialog.showModal();
}
$("#kick-button").addEventListener("click", () => {
  net.send({ type: "kick", player_id: dialogTarget });
  els.playerDialog.close();
});
$("#vote-kick-button").addEventListener("click", () => {
  net.send({ type: "vote_kick", player_id: dialogTarget });
  els.playerDialog.close();
});
