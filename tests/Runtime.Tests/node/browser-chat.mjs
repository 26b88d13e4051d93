// The chat demo in a real browser (Debian's Chromium, driven by playwright-core):
//   node browser-chat.mjs <base url> <screenshot path>
// Two pages join the same room with different nicknames, see each other join, exchange messages
// (HTML shown as text), one page's connection is cut (it reaches the server through a TCP proxy here) while
// the other speaks, and comes back to its session with the lines it missed, the other seeing it neither leave
// nor join (connection-state recovery); a third is refused a nickname in use, and closing one page shows "leaves".
// Exits 0 when every step passed; prints the failing step and exits 1 otherwise.
import net from "node:net";
import { chromium } from "playwright-core";

const [base, screenshot] = process.argv.slice(2);
const timeout = 10000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** A TCP proxy to the server, as a network path that can be cut: cut() ends its connections and refuses new ones until restore(). */
async function proxy(target) {
  const { hostname, port } = new URL(target);
  const open = new Set();
  let blocked = false;
  const server = net.createServer((client) => {
    if (blocked) return client.destroy();
    const upstream = net.connect(Number(port), hostname);
    const end = () => { client.destroy(); upstream.destroy(); open.delete(client); open.delete(upstream); };
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("error", end).on("close", end);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cut() { blocked = true; for (const socket of open) socket.destroy(); },
    restore() { blocked = false; },
    close() { this.cut(); server.close(); },
  };
}

const path = await proxy(base);

async function join(name, via = base) {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);
  await page.goto(`${via}/room/lobby`);
  await page.fill("#name", name);
  await page.click("#join button");
  return page;
}

const step = (text) => console.log("step: " + text);
const expectLog = (page, text) => page.locator("#log p", { hasText: text }).first().waitFor();

try {
  step("ada joins (through the proxy)");
  const ada = await join("ada", path.url);
  await ada.locator("#room").waitFor();

  step("bob joins; ada sees it; bob sees both users");
  const bob = await join("bob");
  await bob.locator("#room").waitFor();
  await expectLog(ada, "bob joins");
  await bob.locator("#users li", { hasText: "ada" }).waitFor();
  await bob.locator("#users li", { hasText: "bob" }).waitFor();

  step("ada says hello with HTML in it; bob sees it as text");
  await ada.fill("#text", "hello <b>bob</b>");
  await ada.press("#text", "Enter");
  await expectLog(bob, "ada: hello <b>bob</b>");
  if (await bob.locator("#log b").count() !== 0) throw new Error("a message was rendered as HTML");

  step("bob answers; ada sees it");
  await bob.fill("#text", "hi ada");
  await bob.press("#text", "Enter");
  await expectLog(ada, "bob: hi ada");

  step("ada's connection is cut while bob speaks; back on its session, ada gets each line once; bob sees no leave or join");
  path.cut();
  await ada.locator("#status", { hasText: "disconnected" }).waitFor();
  for (const line of ["while you were away 1", "while you were away 2"]) {
    await bob.fill("#text", line);
    await bob.press("#text", "Enter");
    await expectLog(bob, "bob: " + line);
  }
  path.restore();
  await expectLog(ada, "bob: while you were away 2");
  await ada.waitForFunction(() => document.getElementById("status").textContent === "");
  for (const line of ["while you were away 1", "while you were away 2"]) {
    const seen = await ada.locator("#log p", { hasText: "bob: " + line }).count();
    if (seen !== 1) throw new Error(`ada saw "${line}" ${seen} times`);
  }
  const churn = await bob.locator("#log p", { hasText: /^ada (leaves|joins)$/ }).count();
  if (churn !== 0) throw new Error("bob saw ada leave or join");
  await bob.locator("#users li", { hasText: "ada" }).waitFor();
  await ada.locator("#users li", { hasText: "bob" }).waitFor();

  step("a second ada is refused");
  const impostor = await join("ada");
  await impostor.locator("#status", { hasText: "in use" }).waitFor();
  await impostor.close();

  step("bob leaves; ada sees it");
  await bob.close();
  await expectLog(ada, "bob leaves");

  await ada.screenshot({ path: screenshot, fullPage: true });
  console.log("ok");
  path.close();
  await browser.close();
} catch (error) {
  console.log("failed: " + (error?.message ?? error));
  await browser.close();
  process.exit(1);
}
