// Channels.SDK browser client: an ES module with no dependencies that speaks Engine.IO v4 /
// Socket.IO v5 over WebSocket to a Channels.SDK server (or any Socket.IO server).
//
//   import { connect } from "/socket.io/channels.js";
//   const client = connect({ auth: { name: "ada" } });
//   client.on("message", (data, channel) => { … });
//   await client.subscribe("room-lobby");
//   await client.publish("room-lobby", { text: "hi" });
//   const here = client.presence("room-lobby", (members) => render([...members.values()]));
//
// Reconnects with exponential backoff and full jitter (the delay keeps growing across connections that
// drop again at once, so a restarted server is not met by every client at the same moment), subscribes
// again to every channel it held, and sends what was emitted while disconnected once, after the
// reconnect: at most outboxMax items, none older than outboxTtl. An ack that was rejected (timed out, or
// sent before the connection dropped) is never sent later. A server that stops pinging for longer than
// its pingInterval + pingTimeout is taken as gone (a half-open connection) and the client reconnects.

const EIO = { open: "0", close: "1", ping: "2", pong: "3", message: "4", noop: "6" };
const SIO = { connect: 0, disconnect: 1, event: 2, ack: 3, connectError: 4, binaryEvent: 5, binaryAck: 6 };

/**
 * Opens a client. Options: url, path, namespace, auth, reconnect, reconnectDelay, reconnectDelayMax,
 * ackTimeout, outboxMax, outboxTtl, WebSocket; now and random replace Date.now and Math.random (tests).
 * A string is the url. In TypeScript (or checked JavaScript), connect<Contract>(url) types the client with
 * the app's generated contract (see channels.d.ts).
 */
export function connect(options = {}) {
  return new ChannelsClient(typeof options === "string" ? { url: options } : options);
}

export class ChannelsClient {
  #options;
  #ws = null;
  #listeners = new Map();
  #acks = new Map();
  #nextAck = 0;
  #channels = new Set();
  #outbox = [];
  #partial = null;
  #attempt = 0;
  #connectedAt = 0;
  #closed = false;
  #timer = null;
  #watchdog = null;
  #silence = 0;
  #pid = null;
  #offset = null;
  #presence = new Set();

  /** Whether the client is connected to its namespace. */
  connected = false;

  /**
   * Whether the last connect restored the previous session (the server's connection-state recovery): same id,
   * channels kept, and every message sent meanwhile delivered before "connect". False for a fresh session.
   */
  recovered = false;

  /** The socket id the server gave, while connected. */
  id = null;

  constructor(options = {}) {
    const origin = typeof location !== "undefined" ? location.origin : "http://localhost";
    this.#options = {
      url: origin,
      path: "/socket.io",
      namespace: "/",
      auth: {},
      reconnect: true,
      reconnectDelay: 500,
      reconnectDelayMax: 5000,
      ackTimeout: 10000,
      outboxMax: 100,
      outboxTtl: 30000,
      WebSocket: globalThis.WebSocket,
      now: () => Date.now(),
      random: Math.random,
      ...options,
    };
    this.#open();
  }

  /** The channels this client holds (and re-subscribes to after a reconnect). */
  get channels() {
    return [...this.#channels];
  }

  on(event, handler) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(handler);
    return this;
  }

  off(event, handler) {
    this.#listeners.get(event)?.delete(handler);
    return this;
  }

  /** Subscribes; resolves with the server's ack ({ ok, error? }) and remembers the channel when ok. */
  async subscribe(channel) {
    const ack = await this.emitWithAck("subscribe", channel);
    if (ack?.ok) this.#channels.add(channel);
    return ack;
  }

  async unsubscribe(channel) {
    this.#channels.delete(channel);
    return this.emitWithAck("unsubscribe", channel);
  }

  /** Publishes to a channel this client is subscribed to; resolves with the ack. */
  publish(channel, data) {
    return this.emitWithAck("publish", channel, data);
  }

  /**
   * A live view of a channel's presence (this client must be subscribed to it): fetches the members, applies
   * the joins and leaves the server sends (those that arrive before the members wait for them), fetches
   * again after a reconnect, and calls onChange(members, { joins, leaves }) after each change.
   */
  presence(channel, onChange) {
    const view = new PresenceView(this, channel, onChange, () => this.#presence.delete(view));
    this.#presence.add(view);
    return view;
  }

  /** Sends a plain message (the server's [OnMessage] handlers, no channel). */
  send(data) {
    this.emit("message", data);
  }

  emit(event, ...args) {
    this.#queue([event, ...args], null);
  }

  emitWithAck(event, ...args) {
    return new Promise((resolve, reject) => {
      const id = this.#nextAck++;
      const timer = setTimeout(() => {
        this.#acks.delete(id);
        this.#unqueue(id);
        reject(new Error(`no ack for '${event}' within ${this.#options.ackTimeout} ms`));
      }, this.#options.ackTimeout);
      const pending = { sent: false, resolve: (value) => { clearTimeout(timer); resolve(value); }, reject: (e) => { clearTimeout(timer); reject(e); } };
      this.#acks.set(id, pending);
      this.#queue([event, ...args], id);
    });
  }

  /** Closes for good: no reconnect. */
  close() {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#watchdog);
    if (this.#ws?.readyState === 1) this.#ws.send(EIO.message + SIO.disconnect + this.#nspPrefix());
    this.#ws?.close();
    this.#dropped("io client disconnect");
  }

  // ---- connection ----

  #open() {
    const { url, path, WebSocket } = this.#options;
    const target = new URL(path.replace(/\/$/, "") + "/", url);
    target.protocol = target.protocol === "https:" ? "wss:" : target.protocol === "http:" ? "ws:" : target.protocol;
    target.search = "?EIO=4&transport=websocket";
    const ws = new WebSocket(target.toString());
    ws.binaryType = "arraybuffer";
    this.#ws = ws;
    ws.onmessage = (event) => { if (this.#ws === ws) this.#receive(event.data); };
    ws.onclose = () => this.#lost(ws, "transport close");
    ws.onerror = () => {};
  }

  /** The connection is gone (closed, or silent past the heartbeat): drop it and reconnect. */
  #lost(ws, reason) {
    if (this.#ws !== ws) return;
    this.#ws = null;
    clearTimeout(this.#watchdog);
    // A connection that stayed up a while starts the backoff over; one that drops at once keeps it growing.
    if (this.#connectedAt && this.#options.now() - this.#connectedAt >= this.#options.reconnectDelayMax) this.#attempt = 0;
    this.#connectedAt = 0;
    this.#dropped(reason);
    this.#scheduleReconnect();
    if (ws.readyState <= 1) ws.close();
  }

  #scheduleReconnect() {
    if (this.#closed || !this.#options.reconnect) return;
    const { reconnectDelay, reconnectDelayMax, random } = this.#options;
    const base = Math.min(reconnectDelayMax, reconnectDelay * 2 ** Math.min(this.#attempt++, 30));
    this.#timer = setTimeout(() => this.#open(), random() * base);
  }

  /** Expects the server's next ping within its interval plus timeout; silence means the connection is half-open. */
  #armWatchdog() {
    clearTimeout(this.#watchdog);
    const ws = this.#ws;
    if (this.#silence > 0) this.#watchdog = setTimeout(() => this.#lost(ws, "ping timeout"), this.#silence);
  }

  #dropped(reason) {
    // Only acks whose packet went out are lost with the connection; queued ones are sent after the reconnect.
    for (const [id, pending] of this.#acks) {
      if (!pending.sent) continue;
      this.#acks.delete(id);
      pending.reject(new Error(`disconnected (${reason}) before the ack`));
    }
    this.#partial = null;
    if (this.connected) {
      this.connected = false;
      this.id = null;
      this.#fire("disconnect", reason);
    }
  }

  async #connected(sid, pid) {
    this.recovered = pid !== null && pid === this.#pid;
    if (!this.recovered) this.#offset = null;
    this.#pid = pid;
    this.connected = true;
    this.id = sid;
    this.#connectedAt = this.#options.now();
    // A recovered session still holds its channels on the server: subscribing again would run its handlers twice.
    const channels = this.recovered ? [] : [...this.#channels];
    const expired = this.#options.now() - this.#options.outboxTtl;
    const outbox = this.#outbox.splice(0).filter((item) => item.at >= expired || this.#drop(item, "it waited longer than outboxTtl"));
    this.#fire("connect");
    for (const channel of channels) {
      this.emitWithAck("subscribe", channel).then((ack) => { if (!ack?.ok) this.#channels.delete(channel); }, () => {});
    }
    for (const item of outbox) this.#write(item.args, item.ack);
    // After the subscribes, the held ones and those waiting in the outbox: the server answers a channel's
    // presence to its subscribers only. A recovered session got the diffs it missed replayed instead.
    if (!this.recovered) for (const view of this.#presence) view.refresh().catch(() => {});
  }

  // ---- sending ----

  #queue(args, ack) {
    if (this.connected) this.#write(args, ack);
    else if (this.#outbox.length < this.#options.outboxMax) this.#outbox.push({ args, ack, at: this.#options.now() });
    else this.#drop({ args, ack }, `the outbox holds ${this.#options.outboxMax} items already`);
  }

  /** An item that will not be sent: its ack is rejected, a plain emit is reported as an "error" event. Returns false (filter out). */
  #drop(item, why) {
    const error = new Error(`'${item.args[0]}' was not sent: ${why}`);
    const pending = item.ack === null ? undefined : this.#acks.get(item.ack);
    if (pending) {
      this.#acks.delete(item.ack);
      pending.reject(error);
    } else {
      this.#fire("error", error);
    }
    return false;
  }

  /** Takes a queued item out of the outbox (its ack was rejected: it must never be sent). */
  #unqueue(ack) {
    const index = this.#outbox.findIndex((item) => item.ack === ack);
    if (index >= 0) this.#outbox.splice(index, 1);
  }

  #nspPrefix() {
    return this.#options.namespace === "/" ? "" : this.#options.namespace + ",";
  }

  #write(args, ack) {
    const attachments = [];
    const json = JSON.stringify(deconstruct(args, attachments));
    const type = attachments.length ? SIO.binaryEvent : SIO.event;
    const header = EIO.message + type + (attachments.length ? attachments.length + "-" : "") + this.#nspPrefix() + (ack ?? "");
    this.#ws.send(header + json);
    for (const buffer of attachments) this.#ws.send(buffer);
    if (ack !== null) {
      const pending = this.#acks.get(ack);
      if (pending) pending.sent = true;
    }
  }

  // ---- receiving ----

  #receive(data) {
    if (typeof data !== "string") {
      const partial = this.#partial;
      if (!partial) return;
      partial.buffers.push(data);
      if (partial.buffers.length === partial.count) {
        this.#partial = null;
        this.#packet(partial.type, partial.id, reconstruct(partial.payload, partial.buffers));
      }
      return;
    }

    switch (data[0]) {
      case EIO.open: {
        const open = JSON.parse(data.slice(1));
        this.#silence = (open.pingInterval ?? 0) + (open.pingTimeout ?? 0);
        this.#armWatchdog();
        // With the server's connection-state recovery, the session to restore and the last offset received go first.
        const auth = this.#pid ? { pid: this.#pid, ...(this.#offset === null ? {} : { offset: this.#offset }), ...this.#options.auth } : this.#options.auth;
        this.#ws.send(EIO.message + SIO.connect + this.#nspPrefix() + JSON.stringify(auth ?? {}));
        return;
      }
      case EIO.ping:
        this.#armWatchdog();
        this.#ws.send(EIO.pong);
        return;
      case EIO.close:
        this.#ws.close();
        return;
      case EIO.message:
        this.#socketIo(data.slice(1));
        return;
    }
  }

  #socketIo(text) {
    const match = /^(\d)(?:(\d+)-)?(?:(\/[^,]*),)?(\d+)?(.*)$/s.exec(text);
    if (!match) return;
    const [, typeText, count, nsp = "/", idText, json] = match;
    if (nsp !== this.#options.namespace) return;
    const type = Number(typeText);
    const id = idText === undefined ? null : Number(idText);
    const payload = json ? JSON.parse(json) : undefined;
    if (count) {
      this.#partial = { type, id, payload, count: Number(count), buffers: [] };
      return;
    }
    this.#packet(type, id, payload);
  }

  #packet(type, id, payload) {
    switch (type) {
      case SIO.connect:
        this.#connected(payload?.sid ?? null, typeof payload?.pid === "string" ? payload.pid : null);
        return;
      case SIO.connectError:
        this.#fire("connect_error", Object.assign(new Error(payload?.message ?? "connect error"), { data: payload?.data }));
        return;
      case SIO.disconnect:
        this.#closed = true;
        this.#dropped("io server disconnect");
        this.#ws.close();
        return;
      case SIO.event:
      case SIO.binaryEvent: {
        const [event, ...args] = payload;
        // With recovery on, an event without an ack carries its offset last: kept for the reconnect, not passed on.
        if (this.#pid !== null && id === null && typeof args[args.length - 1] === "string") this.#offset = args.pop();
        if (id !== null) args.push((...reply) => this.#ack(id, reply));
        this.#fire(event, ...args);
        return;
      }
      case SIO.ack:
      case SIO.binaryAck: {
        const pending = this.#acks.get(id);
        this.#acks.delete(id);
        pending?.resolve(payload.length <= 1 ? payload[0] : payload);
        return;
      }
    }
  }

  #ack(id, reply) {
    const attachments = [];
    const json = JSON.stringify(deconstruct(reply, attachments));
    const type = attachments.length ? SIO.binaryAck : SIO.ack;
    this.#ws.send(EIO.message + type + (attachments.length ? attachments.length + "-" : "") + this.#nspPrefix() + id + json);
    for (const buffer of attachments) this.#ws.send(buffer);
  }

  #fire(event, ...args) {
    for (const handler of this.#listeners.get(event) ?? []) {
      try {
        handler(...args);
      } catch (error) {
        setTimeout(() => { throw error; });
      }
    }
  }
}

/**
 * A channel's presence as a Map (socket id → metadata), kept up to date from ["presence", channel, diff]
 * events. Diffs that arrive while the members are being fetched are queued and applied, in order, on top.
 */
class PresenceView {
  static #maxQueued = 1000;
  #client;
  #onChange;
  #detach;
  #queued = null;
  #request = 0;
  #closed = false;
  #listener;
  #ready;

  /** The members: socket id → metadata. */
  members = new Map();

  constructor(client, channel, onChange, detach) {
    this.channel = channel;
    this.#client = client;
    this.#onChange = onChange;
    this.#detach = detach;
    this.#listener = (name, diff) => { if (name === channel) this.#receive(diff); };
    client.on("presence", this.#listener);
    /** Settles with the first members fetched; rejected when the server refuses them (e.g. not subscribed). */
    this.ready = new Promise((resolve, reject) => { this.#ready = { resolve, reject }; });
    this.ready.catch(() => {});
    this.refresh().catch(() => {});
  }

  /**
   * Fetches the members again (done after every reconnect); diffs received meanwhile wait for them. Only
   * the answer to the latest fetch counts; a fetch lost with the connection is made again at the reconnect.
   */
  refresh() {
    const request = ++this.#request;
    this.#queued = [];
    return this.#client.emitWithAck("presence", this.channel).then((ack) => {
      if (request !== this.#request || this.#closed) return this.members;
      const queued = this.#queued ?? [];
      this.#queued = null;
      if (!ack?.ok) {
        const error = new Error(ack?.error ?? "presence refused");
        this.#ready?.reject(error);
        this.#ready = null;
        throw error;
      }
      const before = this.members;
      const members = new Map(Object.entries(ack.state ?? {}));
      for (const diff of queued) apply(members, diff);
      this.members = members;
      const joins = {};
      const leaves = {};
      for (const [id, meta] of members) if (!before.has(id) || JSON.stringify(before.get(id)) !== JSON.stringify(meta)) joins[id] = meta;
      for (const [id, meta] of before) if (!members.has(id)) leaves[id] = meta;
      this.#ready?.resolve(members);
      this.#ready = null;
      this.#changed({ joins, leaves });
      return members;
    });
  }

  /** Stops following the channel. */
  close() {
    this.#closed = true;
    this.#client.off("presence", this.#listener);
    this.#detach();
  }

  #receive(diff) {
    if (this.#closed || !diff || typeof diff !== "object") return;
    if (this.#queued) {
      // Too many changes while fetching: fetch again rather than hold them all.
      if (this.#queued.length >= PresenceView.#maxQueued) this.refresh().catch(() => {});
      else this.#queued.push(diff);
      return;
    }
    apply(this.members, diff);
    this.#changed({ joins: diff.joins ?? {}, leaves: diff.leaves ?? {} });
  }

  #changed(change) {
    if (!this.#onChange) return;
    try {
      this.#onChange(this.members, change);
    } catch (error) {
      setTimeout(() => { throw error; });
    }
  }
}

/** Applies a diff: leaves first, then joins (a member whose metadata changed is in joins only). */
function apply(members, { joins = {}, leaves = {} }) {
  for (const id of Object.keys(leaves)) members.delete(id);
  for (const [id, meta] of Object.entries(joins)) members.set(id, meta);
}

function isBinary(value) {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function deconstruct(value, attachments) {
  if (isBinary(value)) {
    attachments.push(value);
    return { _placeholder: true, num: attachments.length - 1 };
  }
  if (Array.isArray(value)) return value.map((item) => deconstruct(item, attachments));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, deconstruct(item, attachments)]));
  }
  return value;
}

function reconstruct(value, buffers) {
  if (value && typeof value === "object") {
    if (value._placeholder === true && typeof value.num === "number") return buffers[value.num];
    if (Array.isArray(value)) return value.map((item) => reconstruct(item, buffers));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reconstruct(item, buffers)]));
  }
  return value;
}
