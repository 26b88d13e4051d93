// The stock Socket.IO Admin UI (@socket.io/admin-ui 0.5.1, ui/dist) in a real browser (Debian's Chromium,
// driven by playwright-core), watching a Channels.SDK server:
//   node browser-admin.mjs <ui url> <server url> <page url> <screenshot path> [demo]
// A chat page joins "room-lobby" (with "demo", the chat demo's room page, after it picks a nickname); the UI
// (served at <ui url>, possibly another origin) logs in to <server url> with the form, lists the page's socket
// and its channel as a room, and disconnects the socket: the page shows that it lost its connection.
// Exits 0 when every step passed; prints the failing step and exits 1 otherwise.
import { chromium } from "playwright-core";

const [ui, server, pageUrl, screenshot, mode] = process.argv.slice(2);
const origin = server.replace(/\/$/, "");
const demo = mode === "demo";
const timeout = 15000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

const step = (text) => console.log("step: " + text);

try {
  step("the chat page connects and joins room-lobby");
  const chat = await browser.newPage();
  chat.setDefaultTimeout(timeout);
  await chat.goto(pageUrl);
  let sid = null;
  if (demo) {
    await chat.fill("#name", "ada");
    await chat.click("#join button");
    await chat.locator("#room").waitFor();
  } else {
    await chat.locator("#status", { hasText: "joined" }).waitFor();
    sid = (await chat.locator("#sid").textContent()).trim();
    if (!sid) throw new Error("the chat page shows no socket id");
  }

  step("the Admin UI logs in with the form");
  const admin = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  admin.setDefaultTimeout(timeout);
  // The page also asks a public CDN for fonts and icons; offline, those fail and the page works without them.
  await admin.goto(ui, { waitUntil: "domcontentloaded" });
  await admin.getByLabel("Server URL").fill(origin);
  await admin.getByLabel("Username").fill("admin");
  await admin.getByLabel("Password").fill("changeit");
  await admin.locator("button[type=submit]", { hasText: "Connect" }).click();
  await admin.locator(".v-dialog").waitFor({ state: "hidden" });
  await admin.getByText("connected", { exact: true }).first().waitFor();

  step("the Sockets view lists the chat page's socket");
  await admin.evaluate(() => { location.hash = "#/sockets/"; });
  // The demo's page is the only socket the UI lists (its own, on the admin namespace, is not shown).
  const row = sid ? admin.locator(".v-data-table tbody tr", { hasText: sid }) : admin.locator(".v-data-table tbody tr", { hasNotText: "No data available" }).first();
  await row.waitFor();

  step("the Rooms view lists room-lobby");
  await admin.evaluate(() => { location.hash = "#/rooms/"; });
  await admin.locator(".v-data-table tbody tr", { hasText: "room-lobby" }).waitFor();

  step("disconnecting the socket from the Sockets view ends the chat page's connection");
  await admin.evaluate(() => { location.hash = "#/sockets/"; });
  await row.waitFor();
  // The view fades in: the screenshot waits for its transitions to end.
  await admin.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
  await admin.screenshot({ path: screenshot });
  await row.locator("button:has(i.mdi-logout)").click();
  await chat.locator("#status", { hasText: "io server disconnect" }).waitFor();
  // The click also opens the socket's page (the row's own link): back to the list, where the socket is gone.
  await admin.evaluate(() => { location.hash = "#/sockets/"; });
  await admin.locator(".v-data-table tbody tr", { hasText: "No data available" }).waitFor();
  if (sid) await row.first().waitFor({ state: "detached" });

  console.log("ok");
  await browser.close();
} catch (error) {
  console.log("failed: " + (error?.message ?? error));
  await browser.close();
  process.exit(1);
}
