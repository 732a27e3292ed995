// Pointer input on the board -> drawing ops. Mouse, touch and pen share one code path
// (Pointer Events). Samples are batched per animation frame: one `begin`, then one `points`
// op per frame, then `end`, so other players see the stroke grow smoothly while it is drawn.

/**
 * @param {BoardView} view  the board being drawn on (ops are applied to it locally at once)
 * @param {object} opts
 *   tool(): {tool: "pen"|"eraser"|"fill", color, width}
 *   enabled(): whether this player may draw now
 *   send(ops): called once per frame with the ops drawn in that frame
 *   nextId(): a fresh stroke id
 */
export class DrawInput {
  constructor(view, { tool, enabled, send, nextId }) {
    this.view = view;
    this.canvas = view.canvas;
    this.tool = tool;
    this.enabled = enabled;
    this.send = send;
    this.nextId = nextId;
    this.active = null; // {pointerId, id, last: [x, y]}
    this.queue = [];
    this.frame = 0;

    const c = this.canvas;
    c.addEventListener("pointerdown", (e) => this.down(e));
    c.addEventListener("pointermove", (e) => this.move(e));
    c.addEventListener("pointerup", (e) => this.up(e));
    c.addEventListener("pointercancel", (e) => this.up(e));
    c.addEventListener("lostpointercapture", (e) => this.up(e));
    // touch-action: none (CSS) stops scrolling and zooming in modern browsers; these stop the
    // rest (iOS double-tap zoom, text selection, the context menu on long press).
    for (const type of ["touchstart", "touchmove", "touchend"]) {
      c.addEventListener(type, (e) => this.enabled() && e.cancelable && e.preventDefault(), {
        passive: false,
      });
    }
    c.addEventListener("contextmenu", (e) => e.preventDefault());
  }

  down(e) {
    if (!this.enabled() || this.active) return;
    if (e.pointerType === "mouse" && e.button !== 0) return;
    if (!e.isPrimary) return;
    e.preventDefault();
    // preventDefault also keeps the focus where it was: leave the chat field explicitly, so a
    // phone's keyboard closes and the tools come back.
    if (document.activeElement instanceof HTMLInputElement) document.activeElement.blur();
    const t = this.tool();
    const [x, y] = this.view.toBoard(e);
    if (t.tool === "fill") {
      this.push({ op: "fill", x, y, color: t.color });
      return;
    }
    this.canvas.setPointerCapture?.(e.pointerId);
    const id = this.nextId();
    this.active = { pointerId: e.pointerId, id, last: [x, y] };
    const begin = { op: "begin", id, tool: t.tool, color: t.color, width: t.width, pts: [x, y] };
    this.push(begin);
  }

  move(e) {
    const a = this.active;
    if (!a || e.pointerId !== a.pointerId) return;
    e.preventDefault();
    // Coalesced events carry every sample the browser saw since the last frame (smooth curves
    // on fast pens and phones); fall back to the event itself.
    const samples = e.getCoalescedEvents?.() ?? [];
    const pts = [];
    for (const s of samples.length ? samples : [e]) {
      const [x, y] = this.view.toBoard(s);
      if (x === a.last[0] && y === a.last[1]) continue;
      a.last = [x, y];
      pts.push(x, y);
    }
    if (!pts.length) return;
    // Extend the op of this frame when there is one; else start a `points` op.
    const tail = this.queue[this.queue.length - 1];
    if (tail && (tail.op === "points" || tail.op === "begin") && tail.id === a.id) {
      tail.pts.push(...pts);
      this.drawLocal(a.id, pts);
    } else {
      this.push({ op: "points", id: a.id, pts });
    }
  }

  up(e) {
    const a = this.active;
    if (!a || e.pointerId !== a.pointerId) return;
    this.active = null;
    this.push({ op: "end", id: a.id });
    this.flush();
  }

  /** Cancel a stroke in progress (the turn ended or the socket dropped). */
  cancel() {
    if (this.active) {
      this.push({ op: "end", id: this.active.id });
      this.active = null;
    }
    this.flush();
  }

  push(op) {
    // Ops are applied locally at once (copy: the queued op may still grow this frame).
    this.view.apply(op.pts ? { ...op, pts: [...op.pts] } : op);
    this.queue.push(op);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  drawLocal(id, pts) {
    this.view.apply({ op: "points", id, pts });
  }

  flush() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (!this.queue.length) return;
    const ops = this.queue;
    this.queue = [];
    this.send(ops);
  }
}
