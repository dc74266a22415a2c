/**
 * DESIGN: `@signalbot/core` and `@signalbot/adapters` work where a stranger installs them. The packages are
 * built (`bun run --cwd packages/adapters build`: core, then adapters against core's declarations) and packed
 * as `npm publish` would, then installed into fresh projects outside the repository — with npm under Node and
 * with Bun. There the consumer program (`consumer/`) is type-checked as a strict `nodenext` project (zero
 * errors) and run; its report must equal the one computed here from the sources, and its indicators TA-Lib's
 * values. To check more from a published install, add an entry to `consumer/report.ts`.
 *
 * Needs `node` (≥ 20) and `npm` on PATH (the Node half is skipped without them). Offline but for the adapters'
 * own dependencies: npm links `effect` from this workspace; `bun install --prefer-offline` takes everything
 * from Bun's cache, which `bun install` filled, and asks the npm registry only for what is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FIXTURE_KLINES_DIR } from "../../../fixtures/index.ts";
import { expectMatchesTalib, talibReferences } from "../../core/src/indicator/IndicatorContract.testkit.ts";
import { report } from "./consumer/report.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CONSUMER = fileURLToPath(new URL("./consumer/", import.meta.url));
const TSC = join(ROOT, "node_modules/.bin/tsc");
const node = Bun.which("node");
const npm = Bun.which("npm");

const work = mkdtempSync(join(tmpdir(), "signalbot-packages-"));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  // The build is the packages' own (`dist/`, ignored by git); the repository runs from the sources.
  for (const name of ["core", "adapters"])
    rmSync(join(ROOT, "packages", name, "dist"), { recursive: true, force: true });
});

interface Run {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}
const spawn = async (cmd: readonly string[], cwd: string): Promise<Run> => {
  const p = Bun.spawn([...cmd], { cwd, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { exitCode, stdout, stderr };
};
/** Runs a command; its stdout, or an error quoting the command, its exit code and its output. */
const sh = async (cmd: readonly string[], cwd: string): Promise<string> => {
  const r = await spawn(cmd, cwd);
  if (r.exitCode !== 0)
    throw new Error(`\`${cmd.join(" ")}\` in ${cwd} exited with ${r.exitCode}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
};
/** Every error tsc reports on a project (none expected). */
const typeErrors = async (dir: string): Promise<string> => {
  const r = await spawn([TSC, "-p", dir], dir);
  return `${r.stdout}${r.stderr}`;
};

const STRICT = {
  module: "nodenext",
  moduleResolution: "nodenext",
  target: "es2022",
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
};

/** A fresh project: the consumer's files, BTCUSDT's committed klines in `data/`, a manifest and a tsconfig. */
const project = (
  name: string,
  manifest: Record<string, unknown>,
  compilerOptions: Record<string, unknown>,
  files: readonly string[],
): string => {
  const dir = join(work, name);
  mkdirSync(join(dir, "data"), { recursive: true });
  for (const f of files) copyFileSync(join(CONSUMER, f), join(dir, f));
  for (const tf of ["30m", "4h", "1d"])
    copyFileSync(join(FIXTURE_KLINES_DIR, `BTCUSDT-${tf}.csv.gz`), join(dir, `data/BTCUSDT-${tf}.csv.gz`));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name, private: true, type: "module", ...manifest }),
  );
  const tsconfig = { compilerOptions: { ...STRICT, ...compilerOptions }, include: files, exclude: [] };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
  return dir;
};

interface Consumer {
  readonly nodeVersion?: string;
  readonly typeErrors: string;
  readonly report: string;
  readonly adapters?: string;
}

/** npm under Node: only the core tarball, `effect` linked from this workspace, compiled by the type-check. */
const npmConsumer = async (core: string): Promise<Consumer> => {
  const effect = realpathSync(join(ROOT, "packages/core/node_modules/effect"));
  const dir = project(
    "npm-consumer",
    { dependencies: { "@signalbot/core": `file:${core}`, effect: `file:${effect}` } },
    // No @types/node: the declarations need nothing from the runtime (DOM: effect's use its JsonWebKey).
    // Emitted beside the sources, for Node to run.
    { lib: ["es2023", "dom"], types: [], outDir: "." },
    ["main.ts", "report.ts", "types.ts"],
  );
  const cache = join(work, "npm-cache");
  await sh(
    [npm!, "install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", `--cache=${cache}`],
    dir,
  );
  return {
    nodeVersion: (await sh([node!, "--version"], dir)).trim(),
    typeErrors: await typeErrors(dir),
    report: await sh([node!, "main.js"], dir),
  };
};

/** Bun: both tarballs (the adapters' `@signalbot/core` is the core tarball too, not a registry lookup). */
const bunConsumer = async (core: string, adapters: string): Promise<Consumer> => {
  const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  const dir = project(
    "bun-consumer",
    {
      dependencies: { "@signalbot/core": core, "@signalbot/adapters": adapters },
      devDependencies: { "@types/bun": root.devDependencies["@types/bun"] },
      overrides: { "@signalbot/core": core },
    },
    { lib: ["es2023", "dom"], types: ["bun"], noEmit: true },
    ["main.ts", "report.ts", "types.ts", "adapters.ts"],
  );
  await sh(["bun", "install", "--prefer-offline"], dir);
  return {
    typeErrors: await typeErrors(dir),
    report: await sh(["bun", "main.ts"], dir),
    adapters: await sh(["bun", "adapters.ts"], dir),
  };
};

const tarballs = { core: "", adapters: "" };
let consumers: { npm: PromiseSettledResult<Consumer>; bun: PromiseSettledResult<Consumer> };
const settled = (r: PromiseSettledResult<Consumer>): Consumer => {
  if (r.status === "rejected") throw r.reason;
  return r.value;
};

beforeAll(async () => {
  await sh(["bun", "run", "build"], join(ROOT, "packages/adapters"));
  for (const name of ["core", "adapters"] as const) {
    const dir = join(ROOT, "packages", name);
    tarballs[name] = (
      await sh(["bun", "pm", "pack", "--destination", work, "--quiet", "--ignore-scripts"], dir)
    ).trim();
  }
  // The two projects side by side: most of the time goes to the two type-checks.
  const [n, b] = await Promise.allSettled([
    node === null || npm === null ? Promise.reject(new Error("no node/npm")) : npmConsumer(tarballs.core),
    bunConsumer(tarballs.core, tarballs.adapters),
  ]);
  consumers = { npm: n, bun: b };
}, 180_000);

type Report = Awaited<ReturnType<typeof report>>;
/** As the consumer prints it: JSON (a NaN of "not defined yet" becomes null). */
const expected = JSON.parse(JSON.stringify(await report(FIXTURE_KLINES_DIR))) as Report;

/** The report equals the one from the sources, and its indicators match TA-Lib on the same candles. */
const checkReport = (printed: string, runtime: "node" | "bun"): void => {
  const got = JSON.parse(printed) as Report;
  expect(got).toEqual({ ...expected, runtime });
  const talib = talibReferences().find((r) => r.name === "BTCUSDT-4h")!;
  const indicators = got.indicators as unknown as Record<string, (number | null)[]>;
  expect(Object.keys(indicators).sort()).toEqual(Object.keys(talib.indicators).sort());
  for (const [name, values] of Object.entries(indicators))
    expectMatchesTalib(
      `${runtime} ${name}`,
      values.map((v) => v ?? Number.NaN),
      talib.indicators[name]!,
    );
};

test("the report is worth comparing: the analyzer finds setups of both models on BTCUSDT, the last is sized; a custom model fires beside them", () => {
  expect(expected.setups.length).toBeGreaterThan(100);
  expect(new Set(expected.setups.map((s) => s.model))).toEqual(new Set(["continuation", "reversal"]));
  expect(expected.sizing?._tag).toBe("Sized");
  expect(expected.memory).toBe("Allowed");
  expect(expected.customModel.models).toEqual(["continuation", "reversal", "breakout"]);
  expect(expected.customModel.label).toBe("Phá vỡ đỉnh 20 nến");
  expect(expected.customModel.setups.length).toBeGreaterThan(10);
  expect(expected.customModel.builtInsUnchanged).toBe(true);
});

test.skipIf(node === null || npm === null)(
  "npm under Node ≥ 20: the core tarball installs offline, a strict nodenext consumer type-checks with zero errors and runs",
  () => {
    const c = settled(consumers.npm);
    expect(Number(/^v(\d+)/.exec(c.nodeVersion ?? "")?.[1])).toBeGreaterThanOrEqual(20);
    expect(c.typeErrors).toBe("");
    checkReport(c.report, "node");
  },
);

test("Bun: both tarballs install, the consumer type-checks with zero errors and runs; SQLite works from the adapters", () => {
  const c = settled(consumers.bun);
  expect(c.typeErrors).toBe("");
  checkReport(c.report, "bun");
  const stored = JSON.parse(c.adapters ?? "") as Record<string, unknown>;
  expect(stored).toEqual({ emitted: "inserted", known: true, open: [stored.trade], trade: stored.trade });
});

test("@signalbot/runner is not published (private: npm and bun refuse to publish it)", () => {
  const runner = JSON.parse(readFileSync(join(ROOT, "packages/runner/package.json"), "utf8")) as {
    private?: boolean;
  };
  expect(runner.private).toBe(true);
});

interface Manifest {
  readonly license?: string;
  readonly description?: string;
  readonly keywords?: readonly string[];
  readonly repository?: { readonly directory?: string };
  readonly engines?: Record<string, string>;
  readonly sideEffects?: boolean;
  readonly exports?: Record<string, string | Record<string, string>>;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

describe.each(["core", "adapters"] as const)("the %s tarball", (name) => {
  const entries = async () =>
    (await sh(["tar", "-tzf", tarballs[name]], work))
      .split("\n")
      .filter((p) => p !== "")
      .map((p) => p.replace(/^package\//, ""));
  const extract = (file: string) => sh(["tar", "-xzOf", tarballs[name], `package/${file}`], work);

  test("holds the build, the sources, the manifest, README and LICENSE; no tests, test kits, fixtures or scripts", async () => {
    const files = await entries();
    const kib = (statSync(tarballs[name]).size / 1024).toFixed(0);
    console.log(`@signalbot/${name}: ${files.length} files, ${kib} KiB packed`);
    expect(files.filter((f) => !/^(dist|src)\//.test(f)).sort()).toEqual([
      "LICENSE",
      "README.md",
      "package.json",
    ]);
    expect(files.filter((f) => /\.test\.ts$|\.testkit\.ts$|__golden__|fixtures\//.test(f))).toEqual([]);
    // Exactly the modules reachable from the exports, each with its JavaScript and declarations (the build
    // compiles from the entry points): a test helper or a child-process script beside them would show here.
    const modules = (prefix: string, ext: RegExp) =>
      files
        .filter((f) => f.startsWith(prefix) && ext.test(f))
        .map((f) => f.slice(prefix.length).replace(ext, ""))
        .sort();
    const sources = modules("src/", /\.ts$/);
    expect(sources.length).toBeGreaterThan(10);
    expect(modules("dist/", /\.d\.ts$/)).toEqual(sources);
    expect(modules("dist/", /\.js$/)).toEqual(sources);
    expect(await extract("LICENSE")).toBe(readFileSync(join(ROOT, "LICENSE"), "utf8"));
  });

  test("its manifest describes it, and every export resolves to a file in the tarball", async () => {
    const m = JSON.parse(await extract("package.json")) as Manifest;
    expect(m.license).toBe("MIT");
    expect(m.description?.length).toBeGreaterThan(20);
    expect(m.keywords?.length).toBeGreaterThan(3);
    expect(m.repository?.directory).toBe(`packages/${name}`);
    expect(m.sideEffects).toBe(false);
    expect(m.engines).toEqual(name === "core" ? { node: ">=20", bun: ">=1.4" } : { bun: ">=1.4" });
    expect(JSON.stringify(m)).not.toContain("workspace:");
    // Effect's services are compared by identity: the consumer's effect must be the one the library uses.
    expect(m.peerDependencies?.effect).toBe("^4.1.0");
    expect(m.dependencies?.effect).toBeUndefined();
    const files = new Set(await entries());
    const subpaths =
      name === "core" ? ["", "/testing"] : ["/binance", "/chart", "/console", "/csv", "/sqlite", "/telegram"];
    for (const sub of subpaths) {
      const conditions = m.exports?.[name === "core" ? `.${sub}` : "./*"] as Record<string, string>;
      expect(Object.keys(conditions)).toEqual(["bun", "types", "import"]);
      for (const target of Object.values(conditions)) {
        const file = target.replace("*", sub.slice(1)).replace(/^\.\//, "");
        expect([sub, file, files.has(file)]).toEqual([sub, file, true]);
      }
    }
  });
});
