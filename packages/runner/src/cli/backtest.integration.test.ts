/**
 * The backtest CLI end to end on the committed real klines: the report is consistent with itself and with
 * the fills, runs are byte-identical, bad input fails with a clear message and exit code 2.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { DEFAULT_TIMEOUT_CANDLES } from "@signalbot/core";
import type { BacktestReport } from "../backtest/Report.ts";

const CLI = new URL("./backtest.ts", import.meta.url).pathname;
const FIXTURES = new URL("../../../../fixtures/klines/", import.meta.url).pathname;
const DONCHIAN = new URL("../../../../examples/donchian/Donchian.ts", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "backtest-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (args: readonly string[]) => {
  const r = Bun.spawnSync([process.execPath, CLI, ...args], { stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
};

const PERIOD = [
  "--symbols",
  "BTCUSDT,ETHUSDT,DOGEUSDT,XRPUSDT",
  "--from",
  "2025-01-01",
  "--to",
  "2025-06-30",
];

const near = (a: number, b: number, tolerance = 1e-9) =>
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(a), Math.abs(b)));

/** Every invariant a reader of the report relies on. */
const checkConsistency = (report: BacktestReport) => {
  const s = report.summary;
  const groupings = [
    report.byModel,
    report.bySymbol,
    report.byMonth,
    report.byExitReason,
    report.byScoreBand,
  ];
  for (const groups of groupings.map((g) => Object.values(g))) {
    expect(groups.reduce((n, g) => n + g.trades, 0)).toBe(s.trades);
    expect(groups.reduce((n, g) => n + g.wins, 0)).toBe(s.wins);
    expect(groups.reduce((n, g) => n + g.losses, 0)).toBe(s.losses);
    near(
      groups.reduce((n, g) => n + g.totalR, 0),
      s.totalR,
    );
    near(
      groups.reduce((n, g) => n + g.pnl, 0),
      s.pnl,
    );
    near(
      groups.reduce((n, g) => n + g.fees, 0),
      s.fees,
    );
    near(
      groups.reduce((n, g) => n + g.funding, 0),
      s.funding,
    );
  }
  // Mark-to-market: never shallower than the closed-trade drawdown; ends at closed equity + open value.
  expect(s.maxDrawdownPct).toBeGreaterThanOrEqual(s.maxDrawdownClosedPct - 1e-9);
  near(s.markedEquity, s.finalEquity + s.openPnl);
  near(report.equityDaily.at(-1)!.equity, s.markedEquity);
  expect(report.openAtEnd.length).toBe(s.openTrades);
  near(s.fundingPaid, s.funding + report.openAtEnd.reduce((n, o) => n + o.funding, 0));
  expect(s.expectancyCi95![0]).toBeLessThan(s.expectancyR!);
  expect(s.expectancyCi95![1]).toBeGreaterThan(s.expectancyR!);
  expect(report.equityCurve.at(-1)!.equity).toBe(s.finalEquity);
  near(s.finalEquity, s.startingEquity + s.pnl);
  const closed = report.trades.filter((t) => t.status === "closed");
  expect(closed.length).toBe(s.trades);
  expect(report.trades.length - closed.length).toBe(s.openTrades);
  expect(report.signals.filter((x) => x.status === "emitted").length).toBe(report.trades.length);
  const { takerFeeRate, slippageRate } = report.config.costs;
  for (const t of report.trades) {
    const sign = t.side === "LONG" ? 1 : -1;
    const [entry, ...exits] = t.fills;
    expect(entry!.kind).toBe("entry");
    // Slippage against us on the entry, the taker fee on every fill.
    near(entry!.price, t.entry * (1 + sign * slippageRate));
    for (const f of t.fills) near(f.fee, f.price * t.quantity * f.fraction * takerFeeRate);
    expect(t.events[0]!._tag).toBe("Opened");
    if (t.status !== "closed") continue;
    near(
      t.fills.reduce((n, f) => n + (f.kind === "entry" ? 0 : f.fraction), 0),
      1,
    );
    let pnl = -entry!.fee - t.funding!;
    for (const f of exits) pnl += sign * (f.price - entry!.price) * t.quantity * f.fraction - f.fee;
    near(t.pnl!, pnl);
    near(t.rMultiple!, pnl / t.riskAmount);
    expect(t.events.at(-1)!._tag).toBe("Closed");
  }
  for (const x of report.signals) if (x.status === "blocked") expect(x.blockedBy?.code).toBeString();
};

describe("backtest CLI on real klines", () => {
  test("summary on stdout, consistent JSON, byte-identical reruns, self-contained HTML", () => {
    const json1 = join(tmp, "a.json");
    const json2 = join(tmp, "b.json");
    const html = join(tmp, "a.html");
    const first = cli(["--data", FIXTURES, ...PERIOD, "--json", json1, "--html", html]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Backtest 2025-01-01 00:00 → 2025-07-01 00:00 UTC · 4 symbols");
    expect(first.stdout).toMatch(
      /win rate .* · expectancy [+-]\d+\.\d\d R \(95% CI [+-]\d+\.\d\d … [+-]\d+\.\d\d, t [-\d.]+\) · total .* R · profit factor .* \(R\)/,
    );
    expect(first.stdout).toMatch(/Risk: max drawdown \d+\.\d\d% mark-to-market/);
    expect(first.stdout).toContain("continuation");
    expect(first.stdout).toMatch(/Memory: \d+ pauses, \d+ symbol cooldowns, \d+ model disables/);

    const second = cli(["--data", FIXTURES, ...PERIOD, "--json", json2]);
    expect(second.code).toBe(0);
    const bytes = readFileSync(json1);
    expect(readFileSync(json2).equals(bytes)).toBe(true);

    const report = JSON.parse(bytes.toString()) as BacktestReport;
    expect(report.schemaVersion).toBe(2);
    expect(report.config.funding).toBe("flat 0.0100 %/8h");
    expect(report.config.costs).toEqual({ takerFeeRate: 0.0005, slippageRate: 0.0002 });
    expect(report.symbols).toEqual(["BTCUSDT", "DOGEUSDT", "ETHUSDT", "XRPUSDT"]);
    expect(report.period.startIso).toBe("2025-01-01T00:00:00.000Z");
    expect(report.period.endIso).toBe("2025-07-01T00:00:00.000Z");
    expect(report.candles.bySymbol.BTCUSDT).toEqual({ "30m": 181 * 48, "4h": 181 * 6, "1d": 181 });
    expect(report.summary.trades).toBeGreaterThan(20);
    expect(report.memory.blockedSignals).toBeGreaterThan(0);
    expect(report.memoryEvents.length).toBeGreaterThan(0);
    checkConsistency(report);

    const page = readFileSync(html, "utf8");
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page.trim().endsWith("</html>")).toBe(true);
    // Two equity charts, then one candle chart per trade; one inline script (the sortable list), nothing fetched.
    expect(page.match(/<svg /g)?.length).toBe(2 + report.trades.length);
    expect(page.match(/<figure id="trade-\d+">/g)?.length).toBe(report.trades.length);
    expect(page.match(/<script>/g)?.length).toBe(1);
    expect(page).not.toMatch(/<link|<img|src=|https?:\/\//);
    for (const symbol of report.symbols) expect(page).toContain(`<th>${symbol}</th>`);
    expect(page.match(/<tr><td data-v="\d+"><a href="#trade-\d+">/g)?.length).toBe(report.trades.length);
  }, 30_000);

  test("costs: --fee and --slippage are charged on every fill", () => {
    const json = join(tmp, "costs.json");
    const r = cli(["--data", FIXTURES, ...PERIOD, "--fee", "0.0004", "--slippage", "0.0002", "--json", json]);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(json, "utf8")) as BacktestReport;
    expect(report.config.costs).toEqual({ takerFeeRate: 0.0004, slippageRate: 0.0002 });
    checkConsistency(report);
  }, 30_000);

  test("real data with a 5-day hole cut into it (longer than the 4-day timeout): the trade across it closes at the last price before the hole, flagged; a funding file replaces the flat rate", () => {
    const first = join(tmp, "gap-before.json");
    const base = ["--symbols", "BTCUSDT", "--from", "2025-01-01", "--to", "2025-03-31"];
    expect(cli(["--data", FIXTURES, ...base, "--json", first]).code).toBe(0);
    const before = JSON.parse(readFileSync(first, "utf8")) as BacktestReport;
    const M30 = 1_800_000;
    // A trade with nothing filled on its first two candles: cut the 5 days that follow them.
    const victim = before.trades.find(
      (t) => t.fills[1] !== undefined && t.fills[1].time > t.openedAt + 2 * M30,
    )!;
    const holeFrom = victim.openedAt + 2 * M30;
    const holeTo = holeFrom + 5 * 86_400_000;
    const dir = mkdtempSync(join(tmp, "gap-"));
    for (const tf of ["4h", "1d"])
      copyFileSync(join(FIXTURES, `BTCUSDT-${tf}.csv.gz`), join(dir, `BTCUSDT-${tf}.csv.gz`));
    const rows = gunzipSync(readFileSync(join(FIXTURES, "BTCUSDT-30m.csv.gz")))
      .toString("utf8")
      .split("\n");
    const kept = rows.filter((line) => {
      const open = Number(line.split(",")[0]);
      return !(open >= holeFrom && open < holeTo);
    });
    writeFileSync(join(dir, "BTCUSDT-30m.csv.gz"), gzipSync(kept.join("\n")));
    const lastBefore = kept.map((line) => line.split(",")).find((c) => Number(c[0]) === holeFrom - M30)!;
    // Recorded funding: 0.1 % at every 8 h settlement of the quarter (10× the flat default).
    let funding = "fundingTime,fundingRate,markPrice\n";
    for (let t = Date.UTC(2024, 11, 1); t <= Date.UTC(2025, 3, 1); t += 8 * 3_600_000)
      funding += `${t},0.001,\n`;
    writeFileSync(join(dir, "BTCUSDT-funding.csv"), funding);

    const second = join(tmp, "gap-after.json");
    const r = cli(["--data", dir, ...base, "--json", second]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /Gap fills: \d+ stop\(s\) filled at a gapped open, 1 trade\(s\) closed at the last price before a data gap/,
    );
    const after = JSON.parse(readFileSync(second, "utf8")) as BacktestReport;
    expect(after.config.funding).toBe("recorded for BTCUSDT; otherwise flat 0.0100 %/8h");
    const t = after.trades.find((x) => x.id === victim.id)!;
    const due = victim.openedAt + DEFAULT_TIMEOUT_CANDLES * M30;
    expect(t).toMatchObject({ status: "closed", exitReason: "timeout", closedAt: due });
    expect(t.fills).toHaveLength(2);
    const sign = t.side === "LONG" ? 1 : -1;
    expect(t.fills[1]).toMatchObject({ kind: "timeout", gap: "data", time: due, fraction: 1 });
    near(t.fills[1]!.price, Number(lastBefore[4]) * (1 - sign * 0.0002));
    // Every settlement from the entry to the due time, on the whole position, at the recorded 0.1 %.
    let settlements = 0;
    for (let s = Math.floor(t.openedAt / 28_800_000) * 28_800_000 + 28_800_000; s <= due; s += 28_800_000)
      settlements++;
    near(t.funding!, sign * settlements * 0.001 * t.fills[0]!.price * t.quantity);
    expect(after.warnings.filter((w) => w.includes("funding"))).toEqual([]);
    checkConsistency(after);

    // A funding file covering February only: the flat rate fills the rest, and the report says so.
    let february = "fundingTime,fundingRate,markPrice\n";
    for (let t = Date.UTC(2025, 1, 1); t < Date.UTC(2025, 2, 1); t += 8 * 3_600_000)
      february += `${t},0.001,\n`;
    writeFileSync(join(dir, "BTCUSDT-funding.csv"), february);
    const third = join(tmp, "gap-february.json");
    expect(cli(["--data", dir, ...base, "--json", third]).code).toBe(0);
    expect((JSON.parse(readFileSync(third, "utf8")) as BacktestReport).warnings).toContain(
      "BTCUSDT: recorded funding covers 2025-02-01 → 2025-02-28 only; flat 0.0100 %/8h for the rest of 2025-01-01 → 2025-03-31",
    );
  }, 30_000);

  test("--models registers the example Donchian model: its trades are reported by name beside the built-ins'", () => {
    const json = join(tmp, "donchian.json");
    const r = cli([
      "--data",
      FIXTURES,
      ...PERIOD,
      "--models",
      `continuation,reversal,${DONCHIAN}`,
      "--json",
      json,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\ndonchian +\d+ /);
    const report = JSON.parse(readFileSync(json, "utf8")) as BacktestReport;
    expect(Object.keys(report.byModel)).toEqual(["continuation", "reversal", "donchian"]);
    expect(report.byModel.donchian!.trades).toBeGreaterThan(0);
    const trades = report.trades.filter((t) => t.model === "donchian");
    expect(trades.length).toBe(
      report.signals.filter((s) => s.setup.model === "donchian" && s.status === "emitted").length,
    );
    expect(report.signals.find((s) => s.setup.model === "donchian")?.key).toMatch(
      /\|30m\|\d+\|donchian\|(LONG|SHORT)$/,
    );
    checkConsistency(report);
    // Only the example: the built-in models are not run at all.
    const alone = cli(["--data", FIXTURES, ...PERIOD, "--models", DONCHIAN, "--json", json]);
    expect(alone.code).toBe(0);
    const only = JSON.parse(readFileSync(json, "utf8")) as BacktestReport;
    expect(Object.keys(only.byModel)).toEqual(["donchian"]);
    expect(new Set(only.signals.map((s) => s.setup.model))).toEqual(new Set(["donchian"]));
  }, 60_000);

  test("--models that cannot be loaded exits 2, one line per problem, naming the entry", () => {
    const notModel = join(tmp, "NotAModel.ts");
    writeFileSync(notModel, "export const period = 20;\n");
    const broken = join(tmp, "Broken.ts");
    writeFileSync(broken, "throw new Error('boom');\n");
    const r = cli(["--data", FIXTURES, "--models", `continuation,turtle,${notModel},${broken},./nowhere.ts`]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(
      'backtest: --models: unknown model "turtle" (built-in: continuation, reversal; a module is given by its path, e.g. ./models/turtle.ts)',
    );
    expect(lines[1]).toContain(`"${notModel}" has no default export`);
    expect(lines[2]).toContain(`cannot load "${broken}"`);
    expect(lines[2]).toContain("boom");
    expect(lines[3]).toContain('cannot load "./nowhere.ts"');
    const twice = cli(["--data", FIXTURES, "--models", "reversal,reversal"]);
    expect(twice.stderr).toBe('backtest: --models: listed twice: "reversal"\nbacktest: see --help\n');
  }, 30_000);

  test("--help prints the usage; bad arguments exit 2 with one line per problem", () => {
    const help = cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--no-memory");
    const bad = cli(["--from", "2025-13-01"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'backtest: --data DIR is required\nbacktest: --from: not a calendar date: "2025-13-01"\nbacktest: see --help\n',
    );
  }, 30_000);

  test("a missing directory exits 2 naming it, without a stack trace", () => {
    const dir = join(tmp, "does-not-exist");
    const r = cli(["--data", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(dir);
    expect(r.stderr.trim().split("\n").length).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  test("a malformed row exits 2 naming file and line; an unknown symbol names the symbol", () => {
    const dir = mkdtempSync(join(tmp, "bad-"));
    copyFileSync(join(FIXTURES, "BTCUSDT-1d.csv.gz"), join(dir, "BTCUSDT-1d.csv.gz"));
    const rows = readFileSync(join(FIXTURES, "ETHUSDT-4h.csv.gz"));
    const text = gunzipSync(rows).toString("utf8").split("\n");
    text[5] = text[5]!.replace(/,[^,]+,/, ",oops,");
    writeFileSync(join(dir, "ETHUSDT-4h.csv.gz"), gzipSync(text.join("\n")));
    const r = cli(["--data", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`backtest: ${join(dir, "ETHUSDT-4h.csv.gz")}:6: open is not a number: "oops"\n`);

    const unknown = cli(["--data", FIXTURES, "--symbols", "NOPEUSDT"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no kline files for NOPEUSDT");
  }, 30_000);
});
