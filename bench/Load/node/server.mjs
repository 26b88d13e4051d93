// Socket.IO 4.8 on Node with the protocol the Channels server speaks for the load harness:
// ["subscribe", channel] (+ack {ok}) joins a room; ["publish", channel, payload] is relayed to the
// others in the room as ["message", payload, channel].   node server.mjs <port>
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.argv[2] ?? 3000);
const http = createServer();
const io = new Server(http, { maxHttpBufferSize: 1e6 });
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
