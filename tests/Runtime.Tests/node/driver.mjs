// Drives real socket.io-client sockets for the .NET integration tests.
// stdin:  one JSON command per line, e.g.
//   {"cmd":"connect","client":"a","url":"http://127.0.0.1:5000","namespace":"/","opts":{"transports":["websocket"]}}
//   {"cmd":"emit","client":"a","event":"subscribe","args":["room-1"],"ack":true,"ref":1}
//   {"cmd":"send","client":"a","args":["hello"]}
//   {"cmd":"disconnect","client":"a"}
// stdout: one JSON event per line: connect, connect_error, disconnect, event (every event the server
// emits, via onAny), ack (answer to an emit with "ack":true), ack_request (the server asked for an ack;
// answered with {"acked":true,"args":…}), upgrade (transport name), error.
// Binary values travel as {"$binary":"<base64>"} in both directions.
import { io } from "socket.io-client";
import readline from "node:readline";

const sockets = new Map();
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const encode = (v) => {
  if (v instanceof ArrayBuffer) return { $binary: Buffer.from(v).toString("base64") };
  if (ArrayBuffer.isView(v)) return { $binary: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
};
const decode = (v) => {
  if (v && typeof v === "object" && !Array.isArray(v) && typeof v.$binary === "string") return Buffer.from(v.$binary, "base64");
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  return v;
};

function connect({ client, url, namespace = "/", opts = {} }) {
  const socket = io(url + namespace.replace(/^\//, "/"), { forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 500, ...opts });
  sockets.set(client, socket);
  socket.io.on("open", () => {
    const engine = socket.io.engine;
    out({ client, type: "open", transport: engine.transport.name });
    engine.once("upgrade", (t) => out({ client, type: "upgrade", transport: t.name }));
  });
  socket.on("connect", () => out({ client, type: "connect", id: socket.id, transport: socket.io.engine.transport.name }));
  socket.on("connect_error", (e) => out({ client, type: "connect_error", message: e.message, data: e.data ?? null }));
  socket.on("disconnect", (reason) => out({ client, type: "disconnect", reason }));
  socket.onAny((event, ...args) => {
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

async function run(command) {
  const socket = sockets.get(command.client);
  switch (command.cmd) {
    case "connect":
      connect(command);
      break;
    case "emit": {
      const args = decode(command.args ?? []);
      if (command.ack) {
        try {
          const reply = await socket.timeout(command.timeout ?? 5000).emitWithAck(command.event, ...args);
          out({ client: command.client, type: "ack", ref: command.ref, args: encode([reply]) });
        } catch (e) {
          out({ client: command.client, type: "ack", ref: command.ref, error: e.message });
        }
      } else {
        socket.emit(command.event, ...args);
      }
      break;
    }
    case "send":
      socket.send(...decode(command.args ?? []));
      break;
    case "disconnect":
      socket.disconnect();
      break;
    case "exit":
      for (const s of sockets.values()) s.disconnect();
      process.exit(0);
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (!line.trim()) return;
  run(JSON.parse(line)).catch((e) => out({ type: "error", message: String(e && e.stack || e) }));
});
rl.on("close", () => process.exit(0));
