// The room settings form (templates game/_settings_fields.html), shared by "create a room"
// in the lobby and the host's settings dialog in a room. Field names are the API's.

import { api } from "./api.js";
import { $, $$, h } from "./dom.js";
import { t } from "./i18n.js";

const INTS = ["max_players", "rounds", "draw_time", "word_choices"];
const BOOLS = ["public", "custom_words_only", "hints", "ai_enabled"];
const CHOICES = ["language", "ai_difficulty"];

export function readSettings(form) {
  const out = {};
  for (const name of INTS) out[name] = Number(form.elements[name].value);
  for (const name of BOOLS) out[name] = form.elements[name].checked;
  for (const name of CHOICES) out[name] = form.elements[name].value;
  out.custom_words = form.elements.custom_words.value;
  const packs = $$('input[name="packs"]', form);
  if (packs.length) out.packs = packs.filter((box) => box.checked).map((box) => box.value);
  return out;
}

export function fillSettings(form, settings) {
  for (const name of [...INTS, ...CHOICES]) {
    if (settings[name] !== undefined) form.elements[name].value = String(settings[name]);
  }
  for (const name of BOOLS) {
    if (settings[name] !== undefined) form.elements[name].checked = Boolean(settings[name]);
  }
  if (settings.custom_words !== undefined) {
    const words = settings.custom_words;
    form.elements.custom_words.value = Array.isArray(words) ? words.join(", ") : words;
  }
  syncAi(form);
  return loadPacks(form, settings.packs);
}

export function showErrors(form, errors = {}) {
  for (const el of $$("[data-error-for]", form)) {
    el.textContent = errors[el.dataset.errorFor] ?? "";
  }
  // Errors of fields without their own slot go to the form's general slot.
  const general = $('[data-error-for="__all__"]', form);
  const own = new Set($$("[data-error-for]", form).map((el) => el.dataset.errorFor));
  const rest = Object.entries(errors).filter(([field]) => !own.has(field));
  if (general && rest.length) general.textContent = rest.map(([, msg]) => msg).join(" ");
  for (const name of Object.keys(errors)) {
    const field = form.elements[name];
    if (field?.setAttribute) field.setAttribute("aria-invalid", "true");
  }
}

function syncAi(form) {
  form.elements.ai_difficulty.disabled = !form.elements.ai_enabled.checked;
}

const packCache = new Map();

/** Fill the word-pack checkboxes for the form's language; `selected` = slugs (all if absent). */
async function loadPacks(form, selected) {
  const box = $("[data-pack-list]", form);
  if (!box) return;
  const language = form.elements.language.value;
  let packs = packCache.get(language);
  if (!packs) {
    try {
      const { ok, data } = await api(`/api/wordpacks?language=${encodeURIComponent(language)}`);
      packs = ok ? (data?.packs ?? []) : [];
    } catch {
      packs = [];
    }
    packCache.set(language, packs);
  }
  const chosen = selected ? new Set(selected) : null;
  box.replaceChildren(
    ...packs.map((pack) =>
      h(
        "label",
        { class: "check" },
        h("input", {
          type: "checkbox",
          name: "packs",
          value: pack.slug,
          checked: chosen ? chosen.has(pack.slug) : true,
        }),
        ` ${pack.name} `,
        h("span", { class: "hint" }, t("words_count", { count: pack.words })),
      ),
    ),
  );
  if (!packs.length) box.append(h("span", { class: "hint" }, t("no_packs")));
  for (const input of $$("input, select, textarea", box)) input.disabled = form.dataset.readonly === "true";
}

export function bindSettingsForm(form) {
  form.elements.ai_enabled.addEventListener("change", () => syncAi(form));
  form.elements.language.addEventListener("change", () => loadPacks(form));
  form.addEventListener("input", (event) => event.target.removeAttribute?.("aria-invalid"));
  syncAi(form);
  return loadPacks(form);
}

/** Disable every field (non-hosts see the settings but cannot change them). */
export function setReadonly(form, readonly) {
  form.dataset.readonly = String(readonly);
  for (const el of $$("input, select, textarea", form)) el.disabled = readonly;
  if (!readonly) syncAi(form);
}
