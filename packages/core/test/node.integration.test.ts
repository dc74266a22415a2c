/**
 * DESIGN: core must run unchanged under Node as well as Bun (it is the importable library). Builds core the
 * way `bun run --cwd packages/core build` does (plain JS, `effect` external) and runs it under Node.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rsi, sma } from "../src/index.ts";

const CORE = fileURLToPath(new URL("..", import.meta.url));
// Inside the package, so Node resolves `effect` from the package's own node_modules.
const out = mkdtempSync(join(CORE, ".node-check-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const node = Bun.which("node");

test.skipIf(node === null)(
  "the core library runs under Node: indicators, models, sizing and the memory service",
  async () => {
    const built = await Bun.build({
      entrypoints: [join(CORE, "src/index.ts")],
      outdir: out,
      target: "node",
      packages: "external",
    });
    expect(built.success).toBe(true);
    writeFileSync(
      join(out, "probe.mjs"),
      `import { Effect, Layer } from "effect";
import { sma, rsi, Memory, MemoryStore, SymbolAnalyzer, positionSize } from "./index.js";
const store = Layer.succeed(MemoryStore, { load: Effect.succeed(undefined), save: () => Effect.void });
const config = { baseThreshold: 75, baseMaxSignalsPerDay: 5, baseRiskPercent: 1, startingBalance: 1000, enabled: true };
const decision = await Effect.runPromise(
  Effect.flatMap(Memory, (m) => m.canTrade("BTCUSDT", "reversal")).pipe(
    Effect.provide(Memory.layer(config).pipe(Layer.provide(store))),
  ),
);
console.log(JSON.stringify({
  sma: sma([1, 2, 3, 4], 2),
  rsi: rsi([1, 2, 3, 2, 1, 2, 3], 3),
  evaluations: new SymbolAnalyzer("BTCUSDT").evaluate().map((e) => e._tag),
  size: positionSize({ equity: 1000, riskPercent: 1, entry: 100, stop: 99 })._tag,
  decision: decision._tag,
  runtime: typeof Bun === "undefined" ? "node" : "bun",
}));
`,
    );
    const run = Bun.spawnSync([node!, join(out, "probe.mjs")]);
    expect(run.stderr.toString()).toBe("");
    // The same numbers as under Bun (JSON turns the NaN of "not yet defined" into null).
    const json = (xs: number[]) => JSON.parse(JSON.stringify(xs)) as unknown;
    expect(JSON.parse(run.stdout.toString())).toEqual({
      sma: json(sma([1, 2, 3, 4], 2)),
      rsi: json(rsi([1, 2, 3, 2, 1, 2, 3], 3)),
      evaluations: ["NoSetup", "NoSetup"],
      size: "Sized",
      decision: "Allowed",
      runtime: "node",
    });
  },
);
