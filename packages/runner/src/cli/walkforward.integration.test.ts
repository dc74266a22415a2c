/**
 * The walkforward CLI end to end on the committed real klines: the summary and the JSON report (documented
 * fields, out-of-sample only), progress on stderr, and bad input — flags, grid files, data — failing with one
 * clear line per problem and exit code 2.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WalkForwardReport } from "../research/WalkForwardReport.ts";

const CLI = new URL("./walkforward.ts", import.meta.url).pathname;
const FIXTURES = new URL("../../../../fixtures/klines/", import.meta.url).pathname;
const EXAMPLE_GRID = new URL("../../../../research/grid.example.json", import.meta.url).pathname;
const DONCHIAN = new URL("../../../../examples/donchian/Donchian.ts", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "walkforward-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (args: readonly string[]) => {
  const r = Bun.spawnSync([process.execPath, CLI, ...args], { stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
};

const BASE = [
  "--data",
  FIXTURES,
  "--symbols",
  "BTCUSDT,ETHUSDT",
  "--from",
  "2025-01-01",
  "--to",
  "2025-04-30",
];

describe("bun run walkforward", () => {
  test("a grid walk-forward: summary on stdout, progress on stderr, the JSON report with the documented fields", () => {
    const json = join(tmp, "wf.json");
    const r = cli([
      ...BASE,
      "--train",
      "60d",
      "--test",
      "30d",
      "--grid",
      EXAMPLE_GRID,
      "--samples",
      "4",
      "--seed",
      "3",
      "--min-trades",
      "5",
      "--workers",
      "2",
      "--json",
      json,
      "--progress",
      "always",
    ]);
    expect(r.stderr).toContain("walkforward: training: 8 run(s)");
    expect(r.stderr).toContain("on 2 worker(s)");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "Walk-forward 2025-01-01 → 2025-05-01 UTC · 2 symbols · train 60d, test 30d · 2 folds",
    );
    expect(r.stdout).toContain("Search: random (4 samples, seed 3) · 4 candidate(s) of 18");
    expect(r.stdout).toContain("Pooled out of sample:");
    expect(r.stdout).toContain("Stability:");
    const report = JSON.parse(readFileSync(json, "utf8")) as WalkForwardReport;
    expect(report.schemaVersion).toBe(1);
    expect(report.kind).toBe("walkforward");
    expect(report.folds).toHaveLength(2);
    for (const f of [...report.folds, report.pooled]) {
      expect(typeof f.trades).toBe("number");
      expect(f).toHaveProperty("expectancyR");
      expect(f).toHaveProperty("expectancyCi95");
      expect(f).toHaveProperty("profitFactor");
      expect(f).toHaveProperty("maxDrawdownMarkedR");
      expect(f).toHaveProperty("signalsPerDay");
    }
    expect(report.candidates).toHaveLength(4);
    expect(report.config.search).toMatchObject({
      kind: "random",
      samples: 4,
      seed: 3,
      space: 18,
      candidates: 4,
    });
    expect(report.ablation).toBeNull();
    expect(report.setups).toBeNull();
    expect(r.stdout).toContain(`JSON report: ${json}`);
  }, 60_000);

  test("--models: every worker runs the example Donchian model beside the built-ins; its setups are reported by name", () => {
    const json = join(tmp, "wf-models.json");
    const args = [...BASE, "--train", "60d", "--test", "30d", "--setups", "--workers", "2", "--json", json];
    const r = cli([...args, "--models", `continuation,reversal,${DONCHIAN}`]);
    expect(r.stderr).not.toContain("walkforward: --models");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\ndonchian +\d+ /);
    const report = JSON.parse(readFileSync(json, "utf8")) as WalkForwardReport;
    expect(Object.keys(report.setups!.byModel)).toEqual(["continuation", "reversal", "donchian"]);
    expect(report.setups!.byModel.donchian!.trades).toBeGreaterThan(0);
    expect(Object.keys(report.setups!.byModelSide)).toContain("donchian SHORT");
    expect(Object.keys(report.pooledBreakdown.byModel)).toEqual(["continuation", "reversal", "donchian"]);
    // The built-in models' setups are the same with or without the third one beside them.
    const builtIns = cli(args);
    expect(builtIns.code).toBe(0);
    const alone = JSON.parse(readFileSync(json, "utf8")) as WalkForwardReport;
    expect(Object.keys(alone.setups!.byModel)).toEqual(["continuation", "reversal"]);
    for (const m of ["continuation", "reversal"])
      expect(report.setups!.byModel[m]).toEqual(alone.setups!.byModel[m]!);
    const bad = cli([...BASE, "--models", "continuation,turtle"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('walkforward: --models: unknown model "turtle"');
  }, 60_000);

  test("--help prints the usage; bad flags exit 2 with one line per problem", () => {
    const help = cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: bun run walkforward");
    const bad = cli(["--train", "six", "--objective", "luck", "--samples", "3"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split("\n").filter((l) => l !== "")).toEqual([
      'walkforward: --train: expected a length like 90d, 2w, 6m or 1y, got "six"',
      "walkforward: --samples draws from a grid: give --grid FILE",
      'walkforward: --objective: expected one of ci-low, expectancy, total-r, profit-factor, got "luck"',
      "walkforward: see --help",
    ]);
  });

  test("a bad grid file exits 2 naming the file and every problem, before any data is read", () => {
    const grid = join(tmp, "bad-grid.json");
    writeFileSync(
      grid,
      JSON.stringify({
        parameters: { "memory.threshold": [70], "strategy.adxMin": ["high"] },
        fixed: { "x.y": 1 },
      }),
    );
    const r = cli(["--data", join(tmp, "nowhere"), "--grid", grid]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`walkforward: ${grid}: fixed unknown parameter "x.y"`);
    const missing = cli([...BASE, "--grid", join(tmp, "missing.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`walkforward: --grid: no such file: ${join(tmp, "missing.json")}\n`);
    writeFileSync(
      grid,
      JSON.stringify({ parameters: { "memory.threshold": [70], "strategy.adxMin": ["high"] } }),
    );
    const two = cli(["--data", join(tmp, "nowhere"), "--grid", grid]);
    expect(two.stderr).toContain(
      `walkforward: ${grid}: unknown parameter "memory.threshold"; did you mean "memory.baseThreshold"?`,
    );
    expect(two.stderr).toContain(`walkforward: ${grid}: strategy.adxMin: expected a number, got "high"`);
  });

  test("no data, or too little for the windows, exits 2 with the reason", () => {
    const none = cli(["--data", join(tmp, "nowhere")]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("walkforward: ");
    expect(none.stderr).toContain("nowhere");
    const short = cli([...BASE, "--train", "1y"]);
    expect(short.code).toBe(2);
    expect(short.stderr).toBe(
      "walkforward: the period 2025-01-01 → 2025-05-01 (120 days) is too short for --train 1y and a test window of at least one day\n",
    );
  }, 30_000);
});
