/**
 * The dashboard's browser assets, built when this module is imported `with { type: "macro" }`: Bun runs
 * `dashboardAssets()` while transpiling the importer, so the script (client/app.ts bundled with TradingView's
 * lightweight-charts, minified) and the stylesheet become string constants of the importing module — from the
 * sources in development, and inside `dist/signalbot.js` after `bun run build`. No CDN, no file beside the
 * bundle, nothing fetched at run time: the dashboard works on a machine without outside access.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface DashboardAssets {
  readonly script: string;
  readonly style: string;
}

export const dashboardAssets = (): DashboardAssets => {
  const entry = fileURLToPath(new URL("./client/app.ts", import.meta.url));
  // Bun.build cannot run inside a macro (the bundler waits for the macro): the CLI builds the script instead.
  const built = Bun.spawnSync(
    [process.execPath, "build", entry, "--target=browser", "--format=iife", "--production", "--minify"],
    { stdout: "pipe", stderr: "pipe" },
  );
  if (built.exitCode !== 0) throw new Error(`dashboard script build failed:\n${built.stderr.toString()}`);
  return {
    script: built.stdout.toString(),
    style: readFileSync(fileURLToPath(new URL("./client/app.css", import.meta.url)), "utf8"),
  };
};
