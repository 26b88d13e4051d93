// Drives the Channels.SDK browser client (src/Runtime/Client/channels.js) in Node, with the same
// stdin/stdout JSON protocol as driver.mjs, so the .NET tests can use either client.
import { connect } from "../../../src/Runtime/Client/channels.js";
import { WebSocket } from "ws";
import readline from "node:readline";

const clients = new Map();
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const encode = (v) => {
  if (v instanceof ArrayBuffer) return { $binary: Buffer.from(v).toString("base64") };
  if (ArrayBuffer.isView(v)) return { $binary: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
};
const decode = (v) => {
  if (v && typeof v === "object" && !Array.isArray(v) && typeof v.$binary === "string") return new Uint8Array(Buffer.from(v.$binary, "base64"));
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  return v;
};

function open({ client, url, namespace = "/", opts = {} }) {
  const c = connect({ url, namespace, WebSocket, reconnectDelay: 100, reconnectDelayMax: 500, ...opts });
  clients.set(client, c);
  c.on("connect", () => out({ client, type: "connect", id: c.id, channels: c.channels }));
  c.on("disconnect", (reason) => out({ client, type: "disconnect", reason }));
  c.on("connect_error", (e) => out({ client, type: "connect_error", message: e.message }));
  c.on("message", (...args) => out({ client, type: "event", event: "message", args: encode(args) }));
  for (const event of opts.events ?? []) {
    c.on(event, (...args) => {
      const last = args[args.length - 1];
      if (typeof last === "function") {
        args.pop();
        out({ client, type: "ack_request", event, args: encode(args) });
        last({ acked: true, args: encode(args) });
        return;
      }
      out({ client, type: "event", event, args: encode(args) });
    });
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
    case "disconnect":
      c.close();
      break;
    case "exit":
      for (const x of clients.values()) x.close();
      process.exit(0);
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (!line.trim()) return;
  run(JSON.parse(line)).catch((e) => out({ type: "error", message: String((e && e.stack) || e) }));
});
rl.on("close", () => process.exit(0));
