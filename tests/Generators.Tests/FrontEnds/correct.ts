// A front end that uses every part of the contract as the server expects.
import { connect } from "/socket.io/channels.js";
import type { ChannelsContract, Line, Order } from "./channels-contract.js";

const client = connect<ChannelsContract>("https://shop.example");

client.on("message", (line: Line, channel) => {
  const text: string = line.text;
  const priority: number | null | undefined = line.priority;
  if (channel !== undefined) void client.unsubscribe(channel);
  console.log(text, priority);
});

async function run(id: number, user: string): Promise<void> {
  await client.subscribe(`room-${id}`);
  await client.subscribe("lobby");
  await client.subscribe(`user:${user}:inbox`);
  await client.publish(`room-${id}`, { name: "ada", text: "hi", priority: null });
  await client.publish("lobby", "hello");
  const total = await client.emitWithAck("add", 1, 2);
  const sum: number = total.sum;
  const order: Order = { order_id: "0f8fad5b-d9cb-469f-a165-70867728950e", items: [{ sku: "a", count: 1 }], totals: { net: 1 }, mood: 1, color: "Green", note: null, at: "2026-01-01T00:00:00Z", previous: null, handle: 0 };
  client.send(order);
  const placed = await client.emitWithAck("order", order, null);
  console.log(sum, placed?.items.length);
  client.emit("ping");
  const blob: ArrayBuffer = await client.emitWithAck("blob", new Uint8Array([1, 2]));
  console.log(blob.byteLength);

  const admin = connect<ChannelsContract, "/admin">({ url: "https://shop.example", namespace: "/admin" });
  await admin.subscribe("anything at all");
  const kicked: boolean = await admin.emitWithAck("kick", "bob", 2);
  console.log(kicked);
}

void run(1, "ada");
