// Headless Chromium for the site's browser tests: Debian's /usr/bin/chromium (CAJAL_CHROMIUM overrides it) driven by
// playwright-core; a browser is never downloaded. Without Chromium the browser tests skip with a warning, except in CI,
// where they fail instead, so CI can never pass without having looked at the pages.
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CAJAL_CHROMIUM ?? "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = Boolean(process.env.CI);

/** Whether a file's browser tests run here (describe.runIf): where Chromium is, and always in CI. */
export const BROWSER_TESTS = HAVE_CHROMIUM || IN_CI;

/** One warning line per skipped file, saying how to enable it. */
export function warnIfSkipped(file: string): void {
  if (BROWSER_TESTS) return;
  console.warn(
    `\n[${file}] SKIPPED: no Chromium at ${CHROMIUM}. The site's browser tests need it: install it with ` +
      "`apt-get install chromium` (or point CAJAL_CHROMIUM at a Chromium binary). In CI these tests fail instead.\n",
  );
}

/** A headless Chromium and one page (1280×900); in CI without Chromium, an error saying how to install it. */
export async function launchBrowser(): Promise<{ browser: Browser; page: Page }> {
  if (!HAVE_CHROMIUM) {
    throw new Error(`no Chromium at ${CHROMIUM}: the browser tests are required in CI; install it with \`apt-get install chromium\``);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  return { browser, page };
}
