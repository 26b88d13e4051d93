// expect: TS2345 '"rooms-7"'
import { connect } from "/socket.io/channels.js";
import type { ChannelsContract } from "./channels-contract.js";

const client = connect<ChannelsContract>("https://shop.example");
void client.subscribe("rooms-7");
