/**
 * `bun run build`: the production bundle of the bot — `dist/signalbot.js`, tree-shaken by Bun's bundler, with
 * the chart's native renderer and bundled font beside it. Loading one bundle instead of every module of
 * `effect` and the adapters saves ~15 MB of RSS and most of the start-up parse time; `bun run start` and the
 * systemd unit run it. `bun packages/runner/src/cli/start.ts` still runs the sources directly (development).
 */
import { cpSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const FONTS = fileURLToPath(new URL("../../../adapters/src/chart/fonts", import.meta.url));
export const START_ENTRY = fileURLToPath(new URL("./start.ts", import.meta.url));

export interface BuildOptions {
  /** The module the bundle starts with (default `cli/start.ts`). */
  readonly entry?: string;
  readonly outdir: string;
  /** File name of the bundle (default `signalbot.js`). */
  readonly name?: string;
}

/** Bundles the bot; returns the bundle's path. Throws with the bundler's messages when it fails. */
export const buildBot = async (options: BuildOptions): Promise<string> => {
  const name = options.name ?? "signalbot.js";
  rmSync(options.outdir, { recursive: true, force: true });
  const result = await Bun.build({
    entrypoints: [options.entry ?? START_ENTRY],
    outdir: options.outdir,
    target: "bun",
    naming: { entry: name, asset: "[name]-[hash].[ext]" },
  });
  if (!result.success) throw new Error(`build failed:\n${result.logs.map(String).join("\n")}`);
  // The chart resolves its font next to the module that draws it: in the bundle, that is the bundle itself.
  cpSync(FONTS, `${options.outdir}/fonts`, { recursive: true });
  return `${options.outdir}/${name}`;
};

if (import.meta.main) {
  const out = await buildBot({ outdir: `${REPO_ROOT}dist` }).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
  if (!process.argv.includes("--quiet")) process.stdout.write(`built ${out}\n`);
}
