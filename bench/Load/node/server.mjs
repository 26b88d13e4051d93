// Socket.IO 4.8 on Node with the protocol the Channels server speaks for the load harness:
// ["subscribe", channel] (+ack {ok}) joins a room; ["publish", channel, payload] is relayed to the
// others in the room as ["message", payload, channel].   node --expose-gc server.mjs <port>
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.argv[2] ?? 3000);
// GET /bench/gc: a full collection (node --expose-gc), for the idle-memory scenario.
const http = createServer((req, res) => {
  if (req.url === "/bench/gc") {
    globalThis.gc?.();
    res.end();
  }
});
// BENCH_RECOVERY=on: connection-state recovery with its defaults (the harness's --recovery).
const io = new Server(http, { maxHttpBufferSize: 1e6, ...(process.env.BENCH_RECOVERY === "on" ? { connectionStateRecovery: {} } : {}) });
io.on("connection", (socket) => {
  socket.on("subscribe", (channel, ack) => {
    socket.join(channel);
    ack?.({ ok: true });
  });
  socket.on("publish", (channel, payload, ack) => {
    socket.to(channel).emit("message", payload, channel);
    ack?.({ ok: true });
  });
});
http.listen(port, "127.0.0.1", () => console.log(`listening on ${port}`));
