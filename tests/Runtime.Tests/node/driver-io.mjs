// The stdin/stdout JSON protocol both drivers speak (driver.mjs, channels-driver.mjs): one command per
// input line, one event per output line, binary values as {"$binary":"<base64>"} both ways.
import readline from "node:readline";

export const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

export const encode = (v) => {
  if (v instanceof ArrayBuffer) return { $binary: Buffer.from(v).toString("base64") };
  if (ArrayBuffer.isView(v)) return { $binary: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
};

/** A decoder turning {"$binary"} values into what the client sends as binary (toBytes: a Buffer → bytes). */
export const decoder = (toBytes) => {
  const decode = (v) => {
    if (v && typeof v === "object" && !Array.isArray(v) && typeof v.$binary === "string") return toBytes(Buffer.from(v.$binary, "base64"));
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
    return v;
  };
  return decode;
};

/** Reports an event the server emitted; when it asks for an ack, answers {"acked":true,"args":…}. */
export const reportEvent = (client, event, args) => {
  const last = args[args.length - 1];
  if (typeof last === "function") {
    args.pop();
    out({ client, type: "ack_request", event, args: encode(args) });
    last({ acked: true, args: encode(args) });
    return;
  }
  out({ client, type: "event", event, args: encode(args) });
};

/** Runs each command line through run; a failure is reported as an error event. */
export const serve = (run) => {
  const rl = readline.createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    run(JSON.parse(line)).catch((e) => out({ type: "error", message: String((e && e.stack) || e) }));
  });
  rl.on("close", () => process.exit(0));
};
