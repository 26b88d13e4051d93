// The stock Socket.IO Admin UI (@socket.io/admin-ui 0.5.1, ui/dist) in a real browser (Debian's Chromium,
// driven by playwright-core), watching a Channels.SDK server:
//   node browser-admin.mjs <base url> <screenshot path>
// A chat page joins "room-lobby"; the UI (served by the same server under /admin-ui/) logs in with the form,
// lists the page's socket and its channel as a room, and disconnects the socket: the page loses its connection.
// Exits 0 when every step passed; prints the failing step and exits 1 otherwise.
import { chromium } from "playwright-core";

const [base, screenshot] = process.argv.slice(2);
const origin = base.replace(/\/$/, "");
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
  await chat.goto(`${origin}/chat`);
  await chat.locator("#status", { hasText: "joined" }).waitFor();
  const sid = (await chat.locator("#sid").textContent()).trim();
  if (!sid) throw new Error("the chat page shows no socket id");

  step("the Admin UI logs in with the form");
  const admin = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  admin.setDefaultTimeout(timeout);
  // The page also asks a public CDN for fonts and icons; offline, those fail and the page works without them.
  await admin.goto(`${origin}/admin-ui/`, { waitUntil: "domcontentloaded" });
  await admin.getByLabel("Server URL").fill(origin);
  await admin.getByLabel("Username").fill("admin");
  await admin.getByLabel("Password").fill("changeit");
  await admin.locator("button[type=submit]", { hasText: "Connect" }).click();
  await admin.locator(".v-dialog").waitFor({ state: "hidden" });
  await admin.getByText("connected", { exact: true }).first().waitFor();

  step("the Sockets view lists the chat page's socket");
  await admin.evaluate(() => { location.hash = "#/sockets/"; });
  const row = admin.locator(".v-data-table tbody tr", { hasText: sid });
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
  await row.first().waitFor({ state: "detached" });

  console.log("ok");
  await browser.close();
} catch (error) {
  console.log("failed: " + (error?.message ?? error));
  await browser.close();
  process.exit(1);
}
