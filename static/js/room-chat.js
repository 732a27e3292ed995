// The chat log. Every line is built with h(), so names and messages stay text.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { S, els, player } from "./room-state.js";


export function chatLine(className, ...children) {
  const log = els.chatLog;
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.append(h("li", { class: `chat-line ${className}` }, ...children));
  while (log.children.length > 200) log.firstElementChild.remove();
  if (atBottom) log.scrollTop = log.scrollHeight;
}

export function chatEntry(entry) {
  if (entry.id !== undefined) {
    if (S.chatIds.has(entry.id)) return;
    S.chatIds.add(entry.id);
  }
  const isAi = player(entry.player_id)?.is_ai;
  const badge = isAi ? h("span", { class: "badge badge-ai" }, t("ai")) : null;
  if (entry.kind === "guessed") {
    chatLine("is-correct", badge, t("guessed_word", { name: entry.name }));
    return;
  }
  const cls = entry.audience === "guessed" ? "is-guessed" : entry.audience === "you" ? "is-mine" : "";
  chatLine(
    cls,
    badge,
    h("span", { class: "chat-name" }, `${entry.name}:`),
    h("span", { class: "chat-text" }, entry.text),
  );
}

export const system = (text) => chatLine("is-system", text);
