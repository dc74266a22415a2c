/**
 * Headless Chromium for the dashboard's browser tests and screenshots: Debian's `chromium` (or CHROMIUM_PATH)
 * driven by playwright-core, which downloads no browser of its own. Outside CI a machine without Chromium skips
 * those tests with a message saying so; in CI (CI=true) a missing browser is an error, never a silent skip.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium executable, or undefined (after saying why) when this machine has none outside CI. */
export const findChromium = (): string | undefined => {
  const path =
    process.env.CHROMIUM_PATH ?? CANDIDATES.find((p) => existsSync(p)) ?? Bun.which("chromium") ?? undefined;
  if (path !== undefined && existsSync(path)) return path;
  const how = "install it (apt-get install -y chromium) or set CHROMIUM_PATH";
  if (process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false")
    throw new Error(`CI: the dashboard browser tests need Chromium and none was found; ${how}`);
  console.warn(`dashboard browser tests SKIPPED: no Chromium on this machine; ${how}`);
  return undefined;
};

/**
 * Flags that work in containers and CI. Playwright gives every launch a fresh temporary profile of its own
 * (it refuses a --user-data-dir flag: that is `launchPersistentContext`'s job), removed when the browser closes.
 */
export const launchChromium = (executablePath: string): Promise<Browser> =>
  chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
