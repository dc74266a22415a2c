/**
 * The declarations a package publishes, emitted fresh by tsc with the package's own build config into a
 * temporary directory (the package's `dist/` is left alone), with the sources they came from.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const TSC = join(REPO_ROOT, "node_modules/.bin/tsc");

export interface PackageDeclarations {
  /** By path relative to the output directory: `indicator/Ema.d.ts`. */
  readonly declarations: ReadonlyMap<string, string>;
  /** By module path: `indicator/Ema` → the text of `src/indicator/Ema.ts`. */
  readonly sources: ReadonlyMap<string, string>;
}

/** `packages/<name>`'s declarations as its build emits them. Throws with tsc's output when it fails. */
export const emitDeclarations = (name: string): PackageDeclarations => {
  const pkg = join(REPO_ROOT, "packages", name);
  const out = mkdtempSync(join(tmpdir(), `signalbot-${name}-dts-`));
  try {
    const run = Bun.spawnSync(
      [
        TSC,
        "-p",
        join(pkg, "tsconfig.build.json"),
        "--emitDeclarationOnly",
        "--declarationMap",
        "false",
        "--sourceMap",
        "false",
        "--outDir",
        out,
      ],
      { cwd: pkg, stdout: "pipe", stderr: "pipe" },
    );
    if (run.exitCode !== 0) throw new Error(`tsc failed for ${name}:\n${run.stdout}${run.stderr}`);
    const declarations = new Map<string, string>();
    const sources = new Map<string, string>();
    for (const file of readdirSync(out, { recursive: true, encoding: "utf8" }).sort()) {
      if (!file.endsWith(".d.ts")) continue;
      declarations.set(file, readFileSync(join(out, file), "utf8"));
      const module = file.slice(0, -".d.ts".length);
      sources.set(module, readFileSync(join(pkg, "src", `${module}.ts`), "utf8"));
    }
    return { declarations, sources };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
};
