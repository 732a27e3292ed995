// A websocket that reconnects by itself with exponential back-off and jitter.
// The server sends a full snapshot on every (re)connect, so nothing is replayed from here:
// messages sent while offline are dropped and the caller is told (send() returns false).

const MIN_DELAY = 500;
const MAX_DELAY = 10000;

export class ReconnectingSocket {
  /**
   * @param {string} url  ws:// or wss:// URL
   * @param {object} handlers  onMessage(obj), onOpen(), onClose(info), onStatus("online"|"offline")
   */
  constructor(url, { onMessage, onOpen, onClose, onStatus } = {}) {
    this.url = url;
    this.onMessage = onMessage ?? (() => {});
    this.onOpen = onOpen ?? (() => {});
    this.onClose = onClose ?? (() => {});
    this.onStatus = onStatus ?? (() => {});
    this.attempt = 0;
    this.stopped = false;
    this.timer = 0;
    this.ws = null;
    this.connect();
    // A phone that wakes up or comes back online should not wait for the back-off.
    window.addEventListener("online", () => this.retryNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.retryNow();
    });
  }

  get connected() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  connect() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (this.stopped) return;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempt = 0;
      this.onStatus("online");
      this.onOpen();
    });
    ws.addEventListener("message", (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      this.onMessage(data);
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onStatus("offline");
      const info = { code: event.code, reason: event.reason };
      // The handler may call stop() (kicked, room gone): then we stay down.
      this.onClose(info);
      this.schedule();
    });
  }

  schedule() {
    if (this.stopped || this.timer) return;
    const base = Math.min(MAX_DELAY, MIN_DELAY * 2 ** this.attempt);
    this.attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  retryNow() {
    if (this.stopped || this.ws) return;
    this.attempt = 0;
    this.connect();
  }

  send(obj) {
    if (!this.connected) return false;
    this.ws.send(JSON.stringify(obj));
    return true;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close();
  }

  /** Test and debugging hook: drop the connection as a network failure would. */
  drop() {
    this.ws?.close(4999, "dropped");
  }
}
