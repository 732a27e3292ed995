// Drawing ops -> picture. The one client-side replay, used by the room and (later) the gallery.
//
// It mirrors game/ai/render.py on purpose: the server renders the same op log for the AI and
// the gallery, so undo/redo/clear, fills and the eraser must mean exactly the same thing here.
//   - coordinates are integers 0..9999 on both axes of a 4:3 board;
//   - widths are in 1/10000 of the board width;
//   - the eraser paints the white background;
//   - a fill floods the 4-connected region whose colour is within 40 (sum of |dR|+|dG|+|dB|)
//     of the clicked pixel, like PIL's ImageDraw.floodfill(thresh=40);
//   - undo/redo act on whole strokes, fills and clears; a new stroke/fill/clear empties redo;
//     a clear hides everything before it and can itself be undone.

export const BOARD_UNITS = 10000;
export const BOARD_MAX = 9999;
export const ASPECT = 0.75;
export const DEFAULT_WIDTH = 40;
export const MAX_WIDTH = 2000;
export const MAX_POINTS_TOTAL = 200000;
export const FILL_THRESHOLD = 40;
export const BACKGROUND = "#ffffff";

const COLOR_RE = /^#[0-9a-fA-F]{6}$/;

const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);
const clamp = (v) => Math.min(Math.max(Math.round(v), 0), BOARD_MAX);
const color = (v) => (typeof v === "string" && COLOR_RE.test(v) ? v.toLowerCase() : "#000000");
const validId = (v) => (typeof v === "number" && Number.isInteger(v)) || typeof v === "string";

function width(v) {
  const n = num(v);
  if (n === null || n <= 0) return DEFAULT_WIDTH;
  return Math.min(Math.max(Math.round(n), 1), MAX_WIDTH);
}

function points(raw) {
  if (!Array.isArray(raw)) return [];
  const out = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const x = num(raw[i]);
    const y = num(raw[i + 1]);
    if (x === null || y === null) continue;
    out.push(clamp(x), clamp(y));
  }
  return out;
}

const CLEAR = Object.freeze({ kind: "clear" });

/**
 * The state of one turn's drawing, built op by op.
 *
 * `apply(op)` returns what changed so a view can draw incrementally:
 *   {kind: "append", stroke, from}  new points of the topmost stroke, from point index `from`
 *   {kind: "full"}                   anything else visible: redraw everything
 *   null                             nothing visible changed
 */
export class Drawing {
  constructor(ops = []) {
    this.reset();
    for (const op of ops) this.apply(op);
  }

  reset() {
    this.history = [];
    this.redoStack = [];
    this.open = new Map();
    this.budget = MAX_POINTS_TOTAL;
    this.maxId = 0;
  }

  apply(op) {
    if (!op || typeof op !== "object") return null;
    switch (op.op) {
      case "begin": {
        const tool = op.tool ?? "pen";
        if ((tool !== "pen" && tool !== "eraser") || !validId(op.id)) return null;
        const pts = points(op.pts).slice(0, Math.max(this.budget, 0) * 2);
        this.budget -= pts.length / 2;
        const stroke = { kind: "stroke", tool, color: color(op.color), width: width(op.width), pts };
        this.open.set(op.id, stroke);
        if (typeof op.id === "number") this.maxId = Math.max(this.maxId, op.id);
        this.history.push(stroke);
        this.redoStack = [];
        return { kind: "append", stroke, from: 0 };
      }
      case "points": {
        const stroke = validId(op.id) ? this.open.get(op.id) : undefined;
        if (!stroke || this.budget <= 0) return null;
        const pts = points(op.pts).slice(0, this.budget * 2);
        if (!pts.length) return null;
        this.budget -= pts.length / 2;
        const from = stroke.pts.length / 2;
        for (const v of pts) stroke.pts.push(v);
        return { kind: "append", stroke, from };
      }
      case "end":
        if (validId(op.id)) this.open.delete(op.id);
        return null;
      case "fill": {
        const x = num(op.x);
        const y = num(op.y);
        if (x === null || y === null) return null;
        this.history.push({ kind: "fill", x: clamp(x), y: clamp(y), color: color(op.color) });
        this.redoStack = [];
        return { kind: "full" };
      }
      case "clear":
        this.history.push(CLEAR);
        this.redoStack = [];
        return { kind: "full" };
      case "undo": {
        if (!this.history.length) return null;
        const action = this.history.pop();
        this.redoStack.push(action);
        if (action.kind === "stroke") {
          for (const [key, s] of this.open) if (s === action) this.open.delete(key);
        }
        return { kind: "full" };
      }
      case "redo":
        if (!this.redoStack.length) return null;
        this.history.push(this.redoStack.pop());
        return { kind: "full" };
      default:
        return null;
    }
  }

  /** The actions visible now, oldest first (what render.py's replay() returns). */
  visible() {
    let start = 0;
    this.history.forEach((a, i) => {
      if (a === CLEAR) start = i + 1;
    });
    return this.history.slice(start).filter((a) => a !== CLEAR);
  }

  isTop(stroke) {
    return this.history.length > 0 && this.history[this.history.length - 1] === stroke;
  }

  get canUndo() {
    return this.history.length > 0;
  }

  get canRedo() {
    return this.redoStack.length > 0;
  }
}

function rgb(hex) {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

/** Draw board points [x0,y0,...] of a stroke from point index `from` on, in pixels. */
function strokePath(ctx, stroke, from, w, h) {
  const kx = w / BOARD_UNITS;
  const ky = h / BOARD_UNITS;
  const lw = Math.max(stroke.width * kx, 1);
  const pts = stroke.pts;
  const n = pts.length / 2;
  if (n === 0 || from >= n) return;
  ctx.strokeStyle = ctx.fillStyle = stroke.tool === "eraser" ? BACKGROUND : stroke.color;
  ctx.lineWidth = lw;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  // Continue from the previous point so consecutive batches join without gaps.
  const start = Math.max(from - 1, 0);
  if (n - start === 1) {
    ctx.beginPath();
    ctx.arc(pts[2 * start] * kx, pts[2 * start + 1] * ky, lw / 2, 0, Math.PI * 2);
    ctx.fill();
    return;
  }
  ctx.beginPath();
  ctx.moveTo(pts[2 * start] * kx, pts[2 * start + 1] * ky);
  for (let i = start + 1; i < n; i++) ctx.lineTo(pts[2 * i] * kx, pts[2 * i + 1] * ky);
  ctx.stroke();
}

/**
 * Flood fill on the rendered bitmap, with PIL's semantics (4-connected, threshold on the sum of
 * channel differences to the seed pixel, nothing happens when the seed already has the colour).
 * Afterwards the fill grows by one pixel into the region's border so the anti-aliased edge of a
 * canvas line (PIL draws without anti-aliasing) does not leave a light halo.
 */
function floodFill(ctx, px, py, hex, threshold = FILL_THRESHOLD) {
  const { width: w, height: h } = ctx.canvas;
  if (px < 0 || py < 0 || px >= w || py >= h) return;
  const image = ctx.getImageData(0, 0, w, h);
  const d = image.data;
  const [fr, fg, fb] = rgb(hex);
  const seed = (py * w + px) * 4;
  const sr = d[seed];
  const sg = d[seed + 1];
  const sb = d[seed + 2];
  if (Math.abs(fr - sr) + Math.abs(fg - sg) + Math.abs(fb - sb) <= threshold) return;
  const inside = (i) =>
    Math.abs(d[i] - sr) + Math.abs(d[i + 1] - sg) + Math.abs(d[i + 2] - sb) <= threshold;
  const filled = new Uint8Array(w * h);
  const stack = [px, py];
  while (stack.length) {
    const y = stack.pop();
    let x = stack.pop();
    // Scanline: walk left to the run's start, then right, queueing rows above and below.
    while (x > 0 && !filled[y * w + x - 1] && inside((y * w + x - 1) * 4)) x--;
    let up = false;
    let down = false;
    for (; x < w; x++) {
      const p = y * w + x;
      if (filled[p] || !inside(p * 4)) break;
      filled[p] = 1;
      if (y > 0) {
        const q = p - w;
        const ok = !filled[q] && inside(q * 4);
        if (ok && !up) stack.push(x, y - 1);
        up = ok;
      }
      if (y < h - 1) {
        const q = p + w;
        const ok = !filled[q] && inside(q * 4);
        if (ok && !down) stack.push(x, y + 1);
        down = ok;
      }
    }
  }
  for (let p = 0; p < w * h; p++) {
    const x = p % w;
    const grow =
      filled[p] === 1 ||
      (x > 0 && filled[p - 1] === 1) ||
      (x < w - 1 && filled[p + 1] === 1) ||
      (p >= w && filled[p - w] === 1) ||
      (p < w * (h - 1) && filled[p + w] === 1);
    if (!grow) continue;
    const i = p * 4;
    d[i] = fr;
    d[i + 1] = fg;
    d[i + 2] = fb;
    d[i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** Render visible actions onto a canvas context of w x h pixels (replaces its content). */
function renderActions(ctx, actions, w, h) {
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, w, h);
  for (const a of actions) {
    if (a.kind === "stroke") strokePath(ctx, a, 0, w, h);
    else fillAt(ctx, a, w, h);
  }
  ctx.restore();
}

function fillAt(ctx, fill, w, h) {
  const x = Math.min(Math.floor((fill.x * w) / BOARD_UNITS), w - 1);
  const y = Math.min(Math.floor((fill.y * h) / BOARD_UNITS), h - 1);
  floodFill(ctx, x, y, fill.color);
}

/** Render a whole op log into a new canvas of the given width (gallery thumbnails, tests). */
export function renderOps(ops, pixelWidth = 800) {
  const canvas = document.createElement("canvas");
  canvas.width = pixelWidth;
  canvas.height = Math.max(Math.round(pixelWidth * ASPECT), 1);
  renderActions(canvas.getContext("2d"), new Drawing(ops).visible(), canvas.width, canvas.height);
  return canvas;
}

/**
 * A Drawing shown on a <canvas> that fills its CSS box: the bitmap is sized to the box times
 * devicePixelRatio and the whole picture is replayed whenever the size changes.
 */
export class BoardView {
  constructor(canvas, drawing = new Drawing()) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { willReadFrequently: true });
    this.drawing = drawing;
    this.resizeObserver = new ResizeObserver(() => this.fit());
    this.resizeObserver.observe(canvas);
    this.fit();
  }

  fit() {
    const rect = this.canvas.getBoundingClientRect();
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    const w = Math.max(Math.round(rect.width * dpr), 4);
    const h = Math.max(Math.round(w * ASPECT), 3);
    if (w !== this.canvas.width || h !== this.canvas.height) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.redraw();
  }

  redraw() {
    renderActions(this.ctx, this.drawing.visible(), this.canvas.width, this.canvas.height);
  }

  /** Replace the whole drawing (a snapshot). */
  load(ops) {
    this.drawing = new Drawing(ops);
    this.redraw();
  }

  apply(op) {
    const change = this.drawing.apply(op);
    if (!change) return;
    if (change.kind === "append" && this.drawing.isTop(change.stroke)) {
      strokePath(this.ctx, change.stroke, change.from, this.canvas.width, this.canvas.height);
    } else {
      this.redraw();
    }
  }

  applyAll(ops) {
    for (const op of ops) this.apply(op);
  }

  /** Board coordinates (integers 0..9999) of a pointer event. */
  toBoard(event) {
    const rect = this.canvas.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * BOARD_UNITS;
    const y = ((event.clientY - rect.top) / rect.height) * BOARD_UNITS;
    return [clamp(x), clamp(y)];
  }
}
