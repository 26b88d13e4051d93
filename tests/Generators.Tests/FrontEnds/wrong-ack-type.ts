// expect: TS2322 Type 'Total' is not assignable to type 'number'
import { connect } from "/socket.io/channels.js";
import type { ChannelsContract } from "./channels-contract.js";

const client = connect<ChannelsContract>("https://shop.example");
export async function sum(): Promise<number> {
  const total: number = await client.emitWithAck("add", 1, 2);
  return total;
}
