// Likes without a page reload (which would restart the replay). Without this script the
// form still works: it posts and the server redirects back to the page.

import { api } from "./api.js";

const form = document.getElementById("g-like-form");
const button = document.getElementById("g-like");
const count = document.getElementById("g-like-count");

function countText(n) {
  // The server rendered "1 like" and "2 likes" in the page's language; swap the number.
  return n === 1 ? count.dataset.one : count.dataset.many.replace("2", String(n));
}

if (form && button) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const { ok, data } = await api(form.action, { method: "POST" });
      if (!ok || !data) {
        form.submit();
        return;
      }
      const { liked, likes } = data;
      button.classList.toggle("btn-accent", liked);
      button.setAttribute("aria-pressed", String(liked));
      button.querySelector(".g-like-label").textContent = liked ? button.dataset.liked : button.dataset.like;
      count.textContent = countText(likes);
    } catch {
      form.submit();
    } finally {
      button.disabled = false;
    }
  });
}
