// Drawing tools: pen / eraser / fill, a 20-colour palette, four brush sizes, undo, redo, clear.
// Every control is a real <button> (keyboard-operable, labelled); letters B/E/F and
// Ctrl+Z / Ctrl+Y (Ctrl+Shift+Z) work while the focus is not in a text field.

import { $, $$, h } from "./dom.js";

export const PALETTE = [
  ["#000000", "black"], ["#4d4d4d", "dark grey"], ["#9e9e9e", "grey"], ["#ffffff", "white"],
  ["#e53935", "red"], ["#ff7043", "orange"], ["#ffb300", "amber"], ["#fdd835", "yellow"],
  ["#7cb342", "light green"], ["#2e7d32", "green"], ["#00acc1", "teal"], ["#29b6f6", "sky blue"],
  ["#1e88e5", "blue"], ["#283593", "navy"], ["#8e24aa", "purple"], ["#ec407a", "pink"],
  ["#f8bbd0", "light pink"], ["#ffcc99", "peach"], ["#8d6e63", "light brown"], ["#5d4037", "brown"],
];
/** Widths in 1/10000 of the board width (docs/protocol.md §3). */
export const WIDTHS = [15, 40, 90, 180];

export class Toolbar {
  /**
   * @param {HTMLElement} root  the #toolbar element
   * @param {object} actions  undo(), redo(), clear()
   */
  constructor(root, { undo, redo, clear, labels = {} }) {
    this.root = root;
    this.state = { tool: "pen", color: "#000000", width: 40 };
    this.enabled = false;

    const palette = $("#palette", root);
    for (const [color, name] of PALETTE) {
      palette.append(
        h("button", {
          type: "button",
          class: "swatch",
          style: { "--swatch": color },
          "aria-label": labels.colors?.[name] ?? name,
          title: labels.colors?.[name] ?? name,
          "aria-pressed": String(color === this.state.color),
          dataset: { color },
          onclick: () => this.set({ color, tool: this.state.tool === "eraser" ? "pen" : this.state.tool }),
        }),
      );
    }
    const widths = $("#widths", root);
    for (const w of WIDTHS) {
      const px = Math.max(3, Math.round(Math.sqrt(w) * 1.5));
      widths.append(
        h(
          "button",
          {
            type: "button",
            class: "tool",
            "aria-label": labels.size?.(w) ?? `size ${w}`,
            title: labels.size?.(w) ?? `size ${w}`,
            "aria-pressed": String(w === this.state.width),
            dataset: { width: w },
            onclick: () => this.set({ width: w }),
          },
          h("span", { class: "width-dot", style: { width: `${px}px`, height: `${px}px` } }),
        ),
      );
    }
    for (const button of $$("[data-tool]", root)) {
      button.addEventListener("click", () => this.set({ tool: button.dataset.tool }));
    }
    $("#undo", root).addEventListener("click", undo);
    $("#redo", root).addEventListener("click", redo);
    $("#clear", root).addEventListener("click", clear);

    document.addEventListener("keydown", (event) => {
      if (!this.enabled || event.target.closest?.("input, textarea, select, dialog")) return;
      const key = event.key.toLowerCase();
      const mod = event.ctrlKey || event.metaKey;
      if (mod && key === "z" && !event.shiftKey) undo();
      else if (mod && (key === "y" || (key === "z" && event.shiftKey))) redo();
      else if (!mod && key === "b") this.set({ tool: "pen" });
      else if (!mod && key === "e") this.set({ tool: "eraser" });
      else if (!mod && key === "f") this.set({ tool: "fill" });
      else return;
      event.preventDefault();
    });
    this.render();
  }

  set(patch) {
    Object.assign(this.state, patch);
    this.render();
  }

  /** What the pointer input draws with. */
  current() {
    return { ...this.state };
  }

  setEnabled(enabled, { canUndo = false, canRedo = false } = {}) {
    this.enabled = enabled;
    this.root.setAttribute("aria-disabled", String(!enabled));
    for (const button of $$("button", this.root)) button.disabled = !enabled;
    $("#undo", this.root).disabled = !enabled || !canUndo;
    $("#redo", this.root).disabled = !enabled || !canRedo;
  }

  render() {
    for (const b of $$("[data-tool]", this.root)) {
      b.setAttribute("aria-pressed", String(b.dataset.tool === this.state.tool));
    }
    for (const b of $$("[data-color]", this.root)) {
      b.setAttribute("aria-pressed", String(b.dataset.color === this.state.color));
    }
    for (const b of $$("[data-width]", this.root)) {
      b.setAttribute("aria-pressed", String(Number(b.dataset.width) === this.state.width));
    }
    for (const dot of $$(".width-dot", this.root)) {
      dot.style.background = this.state.tool === "eraser" ? "#bbb" : this.state.color;
      dot.style.outline = this.state.color === "#ffffff" ? "1px solid #1d1d2b" : "";
    }
  }
}
