// socket.io-client in a real browser (Debian's Chromium, driven by playwright-core) on a page of another
// origin than the Channels servers:
//   node browser-cors.mjs <page url> <listed server> <RequireCors server> <refusing server>
// With default transports (polling, then the upgrade to WebSocket), plain and with withCredentials plus
// extraHeaders (which forces a preflight), each listed server connects, acks an emit and upgrades; the
// refusing server gives a clean connect_error. Exits 0 when every step passed; prints the failing step
// and exits 1 otherwise.
import { chromium } from "playwright-core";

const [pageUrl, listed, requireCors, refusing] = process.argv.slice(2);
const timeout = 30000; // generous: CI machines run this beside other tests on 2 cores
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

const step = (text) => console.log("step: " + text);

/** Connects from the page, emits with an ack, waits for the upgrade; resolves what happened. */
function connect(page, url, options) {
  return page.evaluate(({ url, options, timeout }) => {
    const socket = io(url, { ...options, reconnection: false, timeout });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no connection, ack and upgrade within " + timeout + " ms")), timeout);
      let first = null;
      let upgraded = false;
      let ack;
      const done = () => {
        if (upgraded && ack !== undefined) {
          clearTimeout(timer);
          resolve({ first, ack, last: socket.io.engine.transport.name });
        }
      };
      socket.io.on("open", () => {
        first = socket.io.engine.transport.name;
        socket.io.engine.on("upgrade", () => {
          upgraded = true;
          done();
        });
      });
      socket.on("connect_error", (error) => {
        clearTimeout(timer);
        reject(new Error("connect_error: " + error.message));
      });
      socket.on("connect", async () => {
        ack = await socket.timeout(timeout).emitWithAck("echo", "hello from " + location.origin);
        done();
      });
    }).finally(() => socket.disconnect());
  }, { url, options, timeout });
}

/** Connects where the page's origin is refused; resolves how it failed. */
function refused(page, url) {
  return page.evaluate(({ url, timeout }) => {
    const socket = io(url, { reconnection: false, timeout, query: { case: "refused" } });
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ outcome: "nothing within " + timeout + " ms" }), timeout);
      socket.on("connect", () => {
        clearTimeout(timer);
        resolve({ outcome: "connected" });
      });
      socket.on("connect_error", (error) => {
        clearTimeout(timer);
        resolve({ outcome: "connect_error", message: error.message });
      });
    }).finally(() => socket.disconnect());
  }, { url, timeout });
}

function expectUpgraded(result, name) {
  if (result.first !== "polling") throw new Error(`${name}: opened on ${result.first}, not polling`);
  if (result.last !== "websocket") throw new Error(`${name}: ended on ${result.last}, not websocket`);
  if (!JSON.stringify(result.ack).includes("hello from ")) throw new Error(`${name}: unexpected ack ${JSON.stringify(result.ack)}`);
  console.log(`${name}: ${JSON.stringify(result)}`);
}

try {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);
  await page.goto(pageUrl);
  if (new URL(pageUrl).origin === new URL(listed).origin) throw new Error("the page must be on another origin than the servers");

  for (const [name, url] of [["listed", listed], ["require-cors", requireCors]]) {
    step(`${name}: default transports, no credentials`);
    expectUpgraded(await connect(page, url, { query: { case: `${name}-plain` } }), `${name}-plain`);

    step(`${name}: withCredentials and extraHeaders (a preflight first)`);
    expectUpgraded(await connect(page, url, {
      query: { case: `${name}-credentials` },
      withCredentials: true,
      extraHeaders: { "x-channels-test": "1" },
    }), `${name}-credentials`);
  }

  step("refused origin: a clean connect_error");
  const failure = await refused(page, refusing);
  if (failure.outcome !== "connect_error") throw new Error("refused origin: " + failure.outcome);
  console.log("refused: " + JSON.stringify(failure));

  console.log("ok");
  await browser.close();
} catch (error) {
  console.log("failed: " + (error?.message ?? error));
  await browser.close();
  process.exit(1);
}
