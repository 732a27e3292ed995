// What lies over the board in each phase (waiting, choosing, reveal, game over, closed) and
// the dialogs that go with the phases (word choice, final ranking).

import { $, h } from "./dom.js";
import { t } from "./i18n.js";
import { icon } from "./icons.js";
import { S, els, isDrawer, isHost, nameOf, net } from "./room-state.js";

/** Actions that live in room.js. */
export const overlayHooks = { copyInvite() {}, retry() {} };


function overlayCard(...children) {
  els.overlay.replaceChildren(h("div", { class: "overlay-card" }, ...children));
  els.overlay.hidden = false;
}

export function renderOverlay() {
  if (S.terminal) {
    overlayCard(
      h("h2", {}, S.terminal.text),
      h(
        "p",
        {},
        S.terminal.retry
          ? h("button", { type: "button", class: "btn btn-accent", onclick: () => overlayHooks.retry() }, t("reconnect"))
          : null,
        " ",
        h("a", { class: "btn", href: "/" }, t("back_to_lobby")),
      ),
    );
    return;
  }
  const turn = S.turn;
  switch (S.phase) {
    case "connecting":
      overlayCard(h("h2", {}, t("connecting")));
      return;
    case "lobby": {
      const max = S.room?.settings?.max_players ?? "?";
      const present = S.players.filter((p) => p.connected).length;
      // docs/protocol.md: two connected humans, or one and the AI seat (a solo game).
      const humans = S.players.filter((p) => p.connected && !p.is_ai).length;
      const withAi = S.players.some((p) => p.is_ai);
      const ready = humans >= 2 || (withAi && humans >= 1);
      let hint = t("waiting_host", { name: nameOf(S.room?.host_id) });
      if (isHost()) hint = withAi ? t("host_can_start_ai") : t("host_can_start");
      overlayCard(
        h("h2", {}, t("waiting_players", { count: present, max })),
        h("p", {}, hint),
        h(
          "p",
          { class: "overlay-actions" },
          isHost()
            ? h(
                "button",
                {
                  type: "button",
                  class: "btn btn-accent",
                  id: "start-button",
                  disabled: !ready,
                  onclick: () => net.send({ type: "start" }),
                },
                t("start"),
              )
            : null,
          " ",
          h("button", { type: "button", class: "btn", onclick: () => overlayHooks.copyInvite() }, icon("link"), t("copy_invite")),
        ),
      );
      return;
    }
    case "choosing":
      if (isDrawer()) {
        overlayCard(
          h("h2", {}, t("you_choose")),
          h("button", { type: "button", class: "btn btn-accent", onclick: openChooseDialog }, t("show_words")),
        );
      } else overlayCard(h("h2", {}, t("is_choosing", { name: nameOf(turn?.drawer_id) })));
      return;
    case "reveal": {
      const reveal = turn?.reveal ?? {};
      const title = {
        time_up: t("turn_over_time"),
        all_guessed: t("turn_over_all"),
        drawer_left: t("turn_over_left"),
      }[reveal.reason] ?? t("turn_over_time");
      const points = reveal.points ?? {};
      overlayCard(
        h("h2", {}, title),
        h("p", {}, t("word_was")),
        h("p", { class: "overlay-word", id: "reveal-word" }, reveal.word ?? turn?.word ?? ""),
        h(
          "ul",
          { class: "overlay-scores" },
          ...[...S.players]
            .sort((a, b) => (points[b.id] ?? 0) - (points[a.id] ?? 0))
            .map((p) =>
              h(
                "li",
                {},
                h("span", {}, p.name),
                points[p.id]
                  ? h("span", { class: "gain" }, `+${points[p.id]}`)
                  : h("span", { class: "zero" }, t("no_points")),
              ),
            ),
        ),
      );
      return;
    }
    case "finished": {
      const top = S.ranking?.[0];
      overlayCard(
        h("h2", {}, t("game_over")),
        top ? h("p", { class: "overlay-word" }, t("winner", { name: top.name })) : null,
        h(
          "p",
          {},
          h("button", { type: "button", class: "btn", onclick: showFinal }, t("show_ranking")),
          " ",
          isHost()
            ? h("button", { type: "button", class: "btn btn-accent", onclick: () => net.send({ type: "restart" }) }, t("play_again"))
            : null,
        ),
      );
      return;
    }
    default:
      els.overlay.hidden = true;
      els.overlay.replaceChildren();
  }
}

function openChooseDialog() {
  const choices = S.turn?.choices ?? [];
  if (!isDrawer() || S.phase !== "choosing" || !choices.length) return;
  $("#word-choices").replaceChildren(
    ...choices.map((word, index) =>
      h(
        "button",
        {
          type: "button",
          class: "btn btn-accent",
          onclick: () => {
            net.send({ type: "choose", index });
            els.chooseDialog.close();
          },
        },
        word,
      ),
    ),
  );
  if (!els.chooseDialog.open) els.chooseDialog.showModal();
}

export function syncDialogs() {
  if (S.phase === "choosing" && isDrawer() && S.turn?.choices?.length) openChooseDialog();
  else if (els.chooseDialog.open) els.chooseDialog.close();

  if (S.phase === "finished" && S.ranking && S.finalShownFor !== S.ranking) {
    S.finalShownFor = S.ranking;
    showFinal();
  } else if (S.phase !== "finished" && els.finalDialog.open) els.finalDialog.close();
  if (S.phase !== "lobby" && els.settingsDialog.open) els.settingsDialog.close();
}

function showFinal() {
  $("#ranking").replaceChildren(
    ...(S.ranking ?? []).map((r) =>
      h(
        "li",
        {},
        h("span", { class: `medal medal-${Math.min(r.rank, 4)}` }, String(r.rank)),
        h("span", {}, r.name, r.is_ai ? h("span", { class: "badge badge-ai" }, t("ai")) : null),
        h("span", {}, t("points", { points: r.score })),
      ),
    ),
  );
  $("#restart-button").hidden = !isHost();
  $("#final-hint").textContent = isHost() ? "" : t("restart_hint");
  if (!els.finalDialog.open) els.finalDialog.showModal();
}
$("#restart-button").addEventListener("click", () => {
  net.send({ type: "restart" });
  els.finalDialog.close();
});
els.chooseDialog.addEventListener("cancel", (event) => {
  // Escape would leave the drawer without a way back; the overlay button reopens it anyway.
  event.preventDefault();
});
for (const button of document.querySelectorAll("dialog [data-close]")) {
  button.addEventListener("click", () => button.closest("dialog").close());
}
