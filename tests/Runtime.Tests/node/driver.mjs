// Drives real socket.io-client sockets for the .NET integration tests.
// stdin:  one JSON command per line, e.g.
//   {"cmd":"connect","client":"a","url":"http://127.0.0.1:5000","namespace":"/","opts":{"transports":["websocket"]}}
//   {"cmd":"emit","client":"a","event":"subscribe","args":["room-1"],"ack":true,"ref":1}
//   {"cmd":"send","client":"a","args":["hello"]}
//   {"cmd":"disconnect","client":"a"}
//   {"cmd":"drop","client":"a"}       closes the transport (socket.io.engine.close()) and does not reconnect …
//   {"cmd":"reconnect","client":"a"}  … until this (connection-state recovery tests)
// stdout: one JSON event per line: connect, connect_error, disconnect, event (every event the server
// emits, via onAny), ack (answer to an emit with "ack":true), ack_request (the server asked for an ack;
// answered with {"acked":true,"args":…}), upgrade (transport name), error.
// Binary values travel as {"$binary":"<base64>"} in both directions.
import { io } from "socket.io-client";
import { out, encode, decoder, reportEvent, serve } from "./driver-io.mjs";

const sockets = new Map();
const decode = decoder((bytes) => bytes);

function connect({ client, url, namespace = "/", opts = {} }) {
  const socket = io(url + namespace.replace(/^\//, "/"), { forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 500, ...opts });
  sockets.set(client, socket);
  socket.io.on("open", () => {
    const engine = socket.io.engine;
    out({ client, type: "open", transport: engine.transport.name });
    engine.once("upgrade", (t) => out({ client, type: "upgrade", transport: t.name }));
  });
  socket.on("connect", () => out({ client, type: "connect", id: socket.id, transport: socket.io.engine.transport.name, recovered: socket.recovered ?? null }));
  socket.on("connect_error", (e) => out({ client, type: "connect_error", message: e.message, data: e.data ?? null }));
  socket.on("disconnect", (reason) => out({ client, type: "disconnect", reason }));
  socket.onAny((event, ...args) => reportEvent(client, event, args));
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
    case "drop":
      socket.io.reconnection(false);
      socket.io.engine.close();
      break;
    case "reconnect":
      socket.io.reconnection(true);
      socket.connect();
      break;
    case "exit":
      for (const s of sockets.values()) s.disconnect();
      process.exit(0);
  }
}

serve(run);
