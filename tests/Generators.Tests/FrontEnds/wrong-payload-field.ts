// expect: TS2353 'nmae' does not exist in type 'Line'
import { connect } from "/socket.io/channels.js";
import type { ChannelsContract } from "./channels-contract.js";

const client = connect<ChannelsContract>("https://shop.example");
void client.publish("room-7", { nmae: "ada", text: "hi" });
