// node open_page.mjs URL [SELECTOR]: opens URL in Debian's headless Chromium, waits until the
// page sets its title to "done" or "failed" (or, with SELECTOR, until that element shows),
// at most 30 s, and prints the page's DOM.
import { chromium } from "playwright-core";

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage();
  page.on("console", (m) => console.error(`console: ${m.text()}`));
  await page.goto(process.argv[2]);
  const selector = process.argv[3];
  const finished = selector
    ? page.waitForSelector(selector, { timeout: 30000 })
    : page.waitForFunction(() => document.title === "done" || document.title === "failed", null, { timeout: 30000 });
  await finished.catch(() => console.error("the page did not finish within 30 s"));
  console.log(await page.content());
} finally {
  await browser.close();
}
