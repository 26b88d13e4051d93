// expect: TS2345 Argument of type 'string' is not assignable to parameter of type 'number'
import { connect } from "/socket.io/channels.js";
import type { ChannelsContract } from "./channels-contract.js";

const client = connect<ChannelsContract>("https://shop.example");
void client.emitWithAck("add", "1", 2);
