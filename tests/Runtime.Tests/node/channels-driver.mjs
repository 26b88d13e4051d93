// Drives the Channels.SDK browser client (src/Runtime/Client/channels.js) in Node, with the same
// stdin/stdout JSON protocol as driver.mjs, so the .NET tests can use either client.
import { connect } from "../../../src/Runtime/Client/channels.js";
import { WebSocket } from "ws";
import { out, encode, decoder, reportEvent, serve } from "./driver-io.mjs";

const clients = new Map();
const sockets = new Map();
const blocked = new Set();

/** The ws WebSocket, recorded per client so that "drop" can cut it; while a client is blocked its new sockets fail at once. */
const socketFor = (client) => class extends WebSocket {
  constructor(url, ...rest) {
    super(blocked.has(client) ? url.replace(/\/\/[^/]+/, "//127.0.0.1:1") : url, ...rest);
    sockets.set(client, this);
  }
};
const views = new Map();
// A copy: a Buffer may be a view into a shared pool, and channels.js sends what it is given.
const decode = decoder((bytes) => new Uint8Array(bytes));

function open({ client, url, namespace = "/", opts = {} }) {
  const c = connect({ url, namespace, WebSocket: socketFor(client), reconnectDelay: 100, reconnectDelayMax: 500, ...opts });
  clients.set(client, c);
  c.on("connect", () => out({ client, type: "connect", id: c.id, channels: c.channels, recovered: c.recovered }));
  c.on("disconnect", (reason) => out({ client, type: "disconnect", reason }));
  c.on("connect_error", (e) => out({ client, type: "connect_error", message: e.message }));
  c.on("message", (...args) => out({ client, type: "event", event: "message", args: encode(args) }));
  for (const event of opts.events ?? []) {
    c.on(event, (...args) => reportEvent(client, event, args));
  }
}

async function run(command) {
  const c = clients.get(command.client);
  switch (command.cmd) {
    case "connect":
      open(command);
      break;
    case "emit":
      if (command.ack) {
        try {
          const args = decode(command.args ?? []);
          // subscribe/unsubscribe go through the client's own methods, which remember the channels.
          const reply = command.event === "subscribe" ? await c.subscribe(...args)
            : command.event === "unsubscribe" ? await c.unsubscribe(...args)
            : await c.emitWithAck(command.event, ...args);
          out({ client: command.client, type: "ack", ref: command.ref, args: encode([reply]) });
        } catch (e) {
          out({ client: command.client, type: "ack", ref: command.ref, error: e.message });
        }
      } else {
        c.emit(command.event, ...decode(command.args ?? []));
      }
      break;
    case "send":
      c.send(...decode(command.args ?? []));
      break;
    case "presence": {
      // A live presence view; every change is reported with the whole map.
      const { client, channel } = command;
      const view = c.presence(channel, (members, change) =>
        out({ client, type: "presence", channel, members: Object.fromEntries(members), change }));
      views.set(`${client} ${channel}`, view);
      view.ready.catch((e) => out({ client, type: "presence_error", channel, message: e.message }));
      break;
    }
    case "disconnect":
      c.close();
      break;
    case "drop":
      // The connection is cut (no goodbye), and the client cannot reach the server until "reconnect".
      blocked.add(command.client);
      sockets.get(command.client)?.terminate();
      break;
    case "reconnect":
      blocked.delete(command.client);
      break;
    case "exit":
      for (const x of clients.values()) x.close();
      process.exit(0);
  }
}

serve(run);
