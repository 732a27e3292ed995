// UI strings for scripts, translated by Django on the server and handed over through
// json_script (id="ui-strings"), so there is one set of .po files and no inline script.

let strings = null;

function load() {
  if (strings) return strings;
  const node = document.getElementById("ui-strings");
  try {
    strings = node ? JSON.parse(node.textContent) : {};
  } catch {
    strings = {};
  }
  return strings;
}

/** Translate `key`, replacing %(name)s placeholders from `params` (Django's style). */
export function t(key, params = {}) {
  const template = load()[key] ?? key;
  return template.replace(/%\((\w+)\)[sd]/g, (_, name) => String(params[name] ?? ""));
}

/** Read a json_script block by id. */
export function readJson(id, fallback = null) {
  const node = document.getElementById(id);
  if (!node) return fallback;
  try {
    return JSON.parse(node.textContent);
  } catch {
    return fallback;
  }
}
