// Chat input that respects IME composition: while a Korean (or Japanese, Chinese) syllable is
// being composed, Enter belongs to the IME. Sending then would send a half-built syllable and,
// in some browsers, the IME commits the syllable again afterwards, repeating the last letter.
//
// Checks all three signals browsers give: event.isComposing, keyCode 229 (Safari and older
// Chrome report the Enter that commits a composition this way) and our own
// compositionstart/compositionend bookkeeping.

export function bindChatInput(input, onSend) {
  let composing = false;
  input.addEventListener("compositionstart", () => {
    composing = true;
  });
  input.addEventListener("compositionend", () => {
    composing = false;
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey) return;
    if (event.isComposing || composing || event.keyCode === 229) return;
    event.preventDefault();
    submit();
  });
  input.form?.addEventListener("submit", (event) => {
    event.preventDefault();
    if (composing) return;
    submit();
  });

  function submit() {
    const text = input.value.trim();
    if (!text) return;
    if (onSend(text) !== false) input.value = "";
  }
}
