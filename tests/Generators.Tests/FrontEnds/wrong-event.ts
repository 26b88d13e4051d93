// expect: TS2345 '"adds"'
import { connect } from "/socket.io/channels.js";
import type { ChannelsContract } from "./channels-contract.js";

const client = connect<ChannelsContract>("https://shop.example");
void client.emitWithAck("adds", 1, 2);
