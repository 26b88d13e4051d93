// The chat demo in a real browser (Debian's Chromium, driven by playwright-core):
//   node browser-chat.mjs <base url> <screenshot path>
// Two pages join the same room with different nicknames, see each other join, exchange messages
// (HTML shown as text), a third is refused a nickname in use, and closing one page shows "leaves".
// Exits 0 when every step passed; prints the failing step and exits 1 otherwise.
import { chromium } from "playwright-core";

const [base, screenshot] = process.argv.slice(2);
const timeout = 10000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function join(name) {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);
  await page.goto(`${base}/room/lobby`);
  await page.fill("#name", name);
  await page.click("#join button");
  return page;
}

const step = (text) => console.log("step: " + text);
const expectLog = (page, text) => page.locator("#log p", { hasText: text }).first().waitFor();

try {
  step("ada joins");
  const ada = await join("ada");
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

  step("a second ada is refused");
  const impostor = await join("ada");
  await impostor.locator("#status", { hasText: "in use" }).waitFor();
  await impostor.close();

  step("bob leaves; ada sees it");
  await bob.close();
  await expectLog(ada, "bob leaves");

  await ada.screenshot({ path: screenshot, fullPage: true });
  console.log("ok");
  await browser.close();
} catch (error) {
  console.log("failed: " + (error?.message ?? error));
  await browser.close();
  process.exit(1);
}
