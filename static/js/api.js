// JSON over HTTP with Django's CSRF token (docs/protocol.md §1).

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** fetch() a JSON endpoint; resolves to {ok, status, data} and never throws on HTTP errors. */
export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = cookie("csrftoken");
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { ok: response.ok, status: response.status, data };
}

/** First error message per field from a `{"errors": {field: [{code, message}]}}` answer. */
export function fieldErrors(data) {
  const out = {};
  for (const [field, list] of Object.entries(data?.errors ?? {})) {
    out[field] = Array.isArray(list) ? list.map((e) => e.message ?? e.code).join(" ") : String(list);
  }
  if (data?.error?.message) out.__all__ = data.error.message;
  return out;
}

const NAME_KEY = "catchmind.nickname";

export const rememberedName = {
  get() {
    try {
      return localStorage.getItem(NAME_KEY) ?? "";
    } catch {
      return "";
    }
  },
  set(name) {
    try {
      localStorage.setItem(NAME_KEY, name);
    } catch {
      /* private mode: the session still remembers it */
    }
  },
};

/** Save a guest nickname; resolves to {name} or {error}. */
export async function saveNickname(nickname) {
  const { ok, data } = await api("/api/nickname", { method: "POST", body: { nickname } });
  if (ok && data?.name) {
    rememberedName.set(data.name);
    return { name: data.name };
  }
  return { error: fieldErrors(data).nickname ?? fieldErrors(data).__all__ ?? "error" };
}
