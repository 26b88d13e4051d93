// Unit tests of channels.js (the browser client) with a fake WebSocket and mocked timers: the outbox
// bound and expiry, rejected acks never sent, backoff that keeps growing, and the heartbeat watchdog.
// Run by `node --test` from ChannelsJsUnitTests (the .NET test project), so CI runs them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "../../../src/Runtime/Client/channels.js";

/** A WebSocket the test drives: records what the client sends; the test plays the server. */
class FakeSocket {
  static all = [];
  readyState = 1;
  sent = [];
  constructor(url) {
    this.url = url;
    FakeSocket.all.push(this);
  }
  send(data) { this.sent.push(data); }
  close() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.();
  }
  /** Server side: the open packet and the CONNECT reply. */
  accept(pingInterval = 25000, pingTimeout = 20000) {
    this.onmessage({ data: `0{"sid":"s","upgrades":[],"pingInterval":${pingInterval},"pingTimeout":${pingTimeout},"maxPayload":1000000}` });
    this.onmessage({ data: '40{"sid":"abc"}' });
  }
  static last() { return FakeSocket.all.at(-1); }
}

/** A client on a fake socket and a clock the test moves (timers are the test context's: reset after each test). */
function setup(t, options = {}) {
  FakeSocket.all = [];
  t.mock.timers.enable({ apis: ["setTimeout"] });
  let now = 0;
  const client = connect({ url: "http://server", WebSocket: FakeSocket, now: () => now, random: () => 0.999, ...options });
  return { client, advance: (ms) => { now += ms; t.mock.timers.tick(ms); } };
}

test("emits while disconnected are sent once after the connect, the oldest first", (t) => {
  const { client } = setup(t);
  client.emit("a", 1);
  client.emit("b", 2);
  FakeSocket.last().accept();
  assert.deepEqual(FakeSocket.last().sent.slice(1), ['42["a",1]', '42["b",2]']);
  client.close();
});

test("the outbox is bounded: past outboxMax an emit is refused, with its ack rejected or an error event", async (t) => {
  const { client } = setup(t, { outboxMax: 2 });
  const errors = [];
  client.on("error", (e) => errors.push(e.message));
  client.emit("a");
  client.emit("b");
  client.emit("c");
  const refused = client.emitWithAck("d");
  await assert.rejects(refused, /outbox holds 2 items/);
  assert.equal(errors.length, 1);
  assert.match(errors[0], /'c' was not sent/);
  FakeSocket.last().accept();
  assert.deepEqual(FakeSocket.last().sent.slice(1), ['42["a"]', '42["b"]']);
  client.close();
});

test("emits older than outboxTtl are dropped at the reconnect, their acks rejected", async (t) => {
  const { client, advance } = setup(t, { outboxTtl: 1000, ackTimeout: 60000 });
  const old = client.emitWithAck("old");
  advance(1500);
  client.emit("fresh");
  FakeSocket.last().accept();
  await assert.rejects(old, /longer than outboxTtl/);
  assert.deepEqual(FakeSocket.last().sent.slice(1), ['42["fresh"]']);
  client.close();
});

test("an ack that timed out while queued is never sent later", async (t) => {
  const { client, advance } = setup(t, { ackTimeout: 1000 });
  const timedOut = client.emitWithAck("late");
  advance(1001);
  await assert.rejects(timedOut, /no ack for 'late'/);
  FakeSocket.last().accept();
  assert.deepEqual(FakeSocket.last().sent.slice(1), []);
  client.close();
});

test("a queued ack survives a drop and is sent once; a sent one is rejected by the drop", async (t) => {
  const { client, advance } = setup(t, { reconnectDelay: 100 });
  FakeSocket.last().accept();
  const sent = client.emitWithAck("sent");
  FakeSocket.last().close();
  const queued = client.emitWithAck("queued");
  await assert.rejects(sent, /disconnected/);
  advance(100);
  FakeSocket.last().accept();
  const packet = FakeSocket.last().sent.at(-1);
  assert.match(packet, /^42\d+\["queued"\]$/);
  FakeSocket.last().onmessage({ data: "43" + packet.slice(2, packet.indexOf("[")) + '[{"ok":true}]' });
  assert.deepEqual(await queued, { ok: true });
  client.close();
});

test("the reconnect delay keeps growing while connections drop at once, and starts over after a stable one", (t) => {
  const { advance } = setup(t, { reconnectDelay: 100, reconnectDelayMax: 5000 });
  const delays = [];
  for (let i = 0; i < 6; i++) {
    FakeSocket.last().accept();
    FakeSocket.last().close();
    const before = FakeSocket.all.length;
    let waited = 0;
    while (FakeSocket.all.length === before) {
      advance(10);
      waited += 10;
    }
    delays.push(waited);
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200]);

  FakeSocket.last().accept();
  advance(5000);
  FakeSocket.last().close();
  const before = FakeSocket.all.length;
  advance(100);
  assert.equal(FakeSocket.all.length, before + 1, "after a stable connection the backoff starts over");
});

test("a server that stops pinging is taken as gone after pingInterval + pingTimeout, and the client reconnects", (t) => {
  const { client, advance } = setup(t, { reconnectDelay: 100 });
  const reasons = [];
  client.on("disconnect", (reason) => reasons.push(reason));
  FakeSocket.last().accept(300, 200);
  advance(450);
  FakeSocket.last().onmessage({ data: "2" });
  advance(450);
  assert.deepEqual(reasons, [], "a ping within the window keeps it alive");
  const silent = FakeSocket.last();
  advance(100);
  assert.deepEqual(reasons, ["ping timeout"]);
  assert.equal(silent.readyState, 3);
  advance(100);
  assert.notEqual(FakeSocket.last(), silent, "a new connection was opened");
  client.close();
});

/** The ack id of the last packet the client sent, which must be a presence request for `channel`. */
function presenceRequest(socket, channel) {
  const packet = socket.sent.at(-1);
  const match = /^42(\d+)\["presence",(".*")\]$/.exec(packet);
  assert.ok(match, `expected a presence request, got ${packet}`);
  assert.equal(JSON.parse(match[2]), channel);
  return match[1];
}

const diff = (channel, joins, leaves = {}) => ({ data: `42${JSON.stringify(["presence", channel, { joins, leaves }])}` });

test("presence: diffs that arrive before the members wait for them and are applied on top, in order", async (t) => {
  const { client } = setup(t);
  FakeSocket.last().accept();
  const changes = [];
  const view = client.presence("room", (members, change) => changes.push([[...members.keys()].sort(), change]));
  const id = presenceRequest(FakeSocket.last(), "room");

  // Before the state: b joins, c joins then leaves, a (in the state) leaves; another channel's diff is ignored.
  FakeSocket.last().onmessage(diff("room", { b: { name: "bea" } }));
  FakeSocket.last().onmessage(diff("room", { c: {} }));
  FakeSocket.last().onmessage(diff("room", {}, { c: {} }));
  FakeSocket.last().onmessage(diff("room", {}, { a: { name: "ada" } }));
  FakeSocket.last().onmessage(diff("other", { z: {} }));
  assert.equal(view.members.size, 0, "nothing is shown before the members arrive");
  FakeSocket.last().onmessage({ data: `43${id}[{"ok":true,"state":{"a":{"name":"ada"},"d":{"name":"dan"}}}]` });
  const members = await view.ready;

  assert.deepEqual([...members.entries()].sort(), [["b", { name: "bea" }], ["d", { name: "dan" }]]);
  assert.deepEqual(changes, [[["b", "d"], { joins: { d: { name: "dan" }, b: { name: "bea" } }, leaves: {} }]]);

  // After the state, diffs apply at once; new metadata for a member comes as a join.
  FakeSocket.last().onmessage(diff("room", { d: { name: "dan", away: true } }, { b: { name: "bea" } }));
  assert.deepEqual([...view.members.entries()], [["d", { name: "dan", away: true }]]);
  assert.equal(changes.length, 2);
  view.close();
  FakeSocket.last().onmessage(diff("room", { e: {} }));
  assert.equal(changes.length, 2, "a closed view is not called");
  client.close();
});

test("presence: a refusal rejects ready; after a reconnect the members are fetched again, after the subscribes", async (t) => {
  const { client, advance } = setup(t, { reconnectDelay: 100 });
  FakeSocket.last().accept();
  const refused = client.presence("nope");
  FakeSocket.last().onmessage({ data: `43${presenceRequest(FakeSocket.last(), "nope")}[{"ok":false,"error":"not subscribed to channel 'nope'"}]` });
  await assert.rejects(refused.ready, /not subscribed/);
  refused.close();

  const subscribed = client.subscribe("room");
  const sub = /^42(\d+)/.exec(FakeSocket.last().sent.at(-1))[1];
  FakeSocket.last().onmessage({ data: `43${sub}[{"ok":true}]` });
  await subscribed;
  const view = client.presence("room");
  FakeSocket.last().onmessage({ data: `43${presenceRequest(FakeSocket.last(), "room")}[{"ok":true,"state":{"a":1}}]` });
  await view.ready;

  FakeSocket.last().close();
  advance(100);
  FakeSocket.last().accept();
  const sent = FakeSocket.last().sent;
  assert.match(sent.at(-2), /^42\d+\["subscribe","room"\]$/);
  FakeSocket.last().onmessage({ data: `43${presenceRequest(FakeSocket.last(), "room")}[{"ok":true,"state":{"b":2}}]` });
  await Promise.resolve();
  assert.deepEqual([...view.members.entries()], [["b", 2]]);
  client.close();
});

test("a string given to connect is the server's url", (t) => {
  FakeSocket.all = [];
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const saved = globalThis.WebSocket;
  globalThis.WebSocket = FakeSocket;
  try {
    const client = connect("http://server:1234");
    assert.match(FakeSocket.last().url, /^ws:\/\/server:1234\/socket\.io\//);
    client.close();
  } finally {
    globalThis.WebSocket = saved;
  }
});

test("presence: asked before the connection, after a subscribe waiting with it, the members still arrive", async (t) => {
  const { client } = setup(t);
  client.subscribe("room");
  const view = client.presence("room");
  FakeSocket.last().accept();
  const sent = FakeSocket.last().sent.slice(1);
  assert.match(sent[0], /^420\["subscribe","room"\]$/);
  assert.match(sent[1], /^421\["presence","room"\]$/);
  assert.match(sent[2], /^422\["presence","room"\]$/, "asked again after the outbox, so after the subscribe");
  FakeSocket.last().onmessage({ data: '430[{"ok":true}]' });
  FakeSocket.last().onmessage({ data: '431[{"ok":true,"state":{"a":1}}]' });
  FakeSocket.last().onmessage({ data: '432[{"ok":true,"state":{"a":1,"b":2}}]' });
  assert.deepEqual([...(await view.ready).keys()], ["a", "b"]);
  client.close();
});
