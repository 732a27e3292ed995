// The server's clock as seen from here. Deadlines (`ends_at`) are server epoch milliseconds;
// counting down with the local clock alone would be off by however wrong the phone's clock is.
// Every message with `server_time` gives a rough offset; ping/pong round trips give better
// ones (half the round trip is the one-way delay). The median of recent samples wins.

const KEEP = 7;

export class ServerClock {
  constructor() {
    this.samples = [];
    this.skew = 0;
  }

  /** A message built at `serverTime`, received now (one-way delay unknown: weak sample). */
  observe(serverTime) {
    if (typeof serverTime !== "number") return;
    if (this.samples.length) return; // round-trip samples are better; use this only to start
    this.skew = serverTime - Date.now();
  }

  /** A pong: we sent `sentAt` (local), the server stamped `serverTime`, it is back now. */
  pong(sentAt, serverTime) {
    if (typeof sentAt !== "number" || typeof serverTime !== "number") return;
    const now = Date.now();
    const rtt = now - sentAt;
    if (rtt < 0 || rtt > 10000) return;
    this.samples.push(serverTime - (sentAt + rtt / 2));
    if (this.samples.length > KEEP) this.samples.shift();
    const sorted = [...this.samples].sort((a, b) => a - b);
    this.skew = sorted[Math.floor(sorted.length / 2)];
  }

  now() {
    return Date.now() + this.skew;
  }

  /** Milliseconds left until a server deadline (never negative). */
  left(endsAt) {
    return endsAt ? Math.max(0, endsAt - this.now()) : 0;
  }
}
