// Small enhancements shared by every page. No inline scripts anywhere (see the CSP middleware).

// The language switch submits as soon as a language is picked; the button stays for no-JS.
for (const select of document.querySelectorAll("select[data-autosubmit]")) {
  select.form?.classList.add("js-autosubmit");
  select.addEventListener("change", () => select.form.requestSubmit());
}
