// Pointer input on the board -> drawing ops. Mouse, touch and pen share one code path
// (Pointer Events). Samples are batched per animation frame: one `begin`, then one `points`
// op per frame, then `end`, so other players see the stroke grow smoothly while it is drawn.
//
// Batches respect the server's limits (docs/protocol.md §3): at most one batch every
// MIN_INTERVAL ms (a 120 Hz screen fires twice as many frames as the 60/s the server allows),
// at most 200 ops and 2000 coordinate numbers per batch (a long stall is split up).

const MIN_INTERVAL = 25;
const MAX_OPS = 200;
const MAX_NUMBERS = 2000;

/** Split ops into batches within the server's size limits (long `points` ops are cut). */
export function toBatches(ops) {
  const batches = [];
  let batch = [];
  let numbers = 0;
  const close = () => {
    if (batch.length) batches.push(batch);
    batch = [];
    numbers = 0;
  };
  for (const op of ops) {
    const pts = op.pts ?? [];
    if (pts.length > MAX_NUMBERS) {
      // Only the head stays in this op; the rest follows as `points` ops of the same stroke.
      const head = { ...op, pts: pts.slice(0, MAX_NUMBERS) };
      const rest = [];
      for (let i = MAX_NUMBERS; i < pts.length; i += MAX_NUMBERS) {
        rest.push({ op: "points", id: op.id, pts: pts.slice(i, i + MAX_NUMBERS) });
      }
      for (const part of [head, ...rest]) {
        close();
        batch.push(part);
        numbers = part.pts.length;
      }
      continue;
    }
    if (batch.length >= MAX_OPS || numbers + pts.length > MAX_NUMBERS) close();
    batch.push(op);
    numbers += pts.length;
  }
  close();
  return batches;
}

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
    this.lastSent = 0;

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
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (performance.now() - this.lastSent < MIN_INTERVAL) this.schedule();
      else this.flush();
    });
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
    this.lastSent = performance.now();
    for (const batch of toBatches(ops)) this.send(batch);
  }
}
