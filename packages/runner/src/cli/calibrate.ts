/**
 * Calibration of the models on real data (a dev script, not part of the library, so it may read files):
 * replays every symbol's 30m candles with its 4h and 1d candles in event-time order (a higher-timeframe
 * candle becomes visible only once closed), evaluates after each closed 30m candle, and prints how many
 * setups reach the threshold per day, by model and score band, the NoSetup reasons, and a rough outcome
 * (stop vs TP1/TP2 first, within 2 days). Usage:
 *   bun run calibrate -- [--data DIR] [--threshold 75] [--symbols A,B]
 */
import { existsSync, readdirSync } from "node:fs";
import { type Candle, type Setup, SymbolAnalyzer } from "@signalbot/core";
import { loadSymbolKlines, replay } from "@signalbot/core/testing";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const shared = new URL("../../../../../shared/data/binance-um-klines/", import.meta.url).pathname;
const dir = arg("data") ?? (existsSync(shared) ? shared : FIXTURE_KLINES_DIR);
const threshold = Number(arg("threshold") ?? 75);
const symbols =
  arg("symbols")?.split(",") ??
  readdirSync(dir)
    .filter((f) => f.endsWith("-30m.csv.gz"))
    .map((f) => f.replace("-30m.csv.gz", ""))
    .sort();

const HORIZON = 96; // 30m candles = 2 days

/** Which comes first after the trigger: stop, TP1, TP2 (stop wins ties), within the horizon. */
const outcome = (s: Setup, next: readonly Candle[], from: number): "stop" | "tp1" | "tp2" | "open" => {
  const l = s.side === "LONG" ? 1 : -1;
  let best: "open" | "tp1" = "open";
  for (let i = from; i < Math.min(next.length, from + HORIZON); i++) {
    const c = next[i]!;
    const adverse = l > 0 ? c.low <= s.stop : c.high >= s.stop;
    if (adverse) return best === "tp1" ? "tp1" : "stop";
    if (l > 0 ? c.high >= s.targets[1] : c.low <= s.targets[1]) return "tp2";
    if (l > 0 ? c.high >= s.targets[0] : c.low <= s.targets[0]) best = "tp1";
  }
  return best;
};

interface Tally {
  days: number;
  candles: number;
  setups: number;
  passed: Record<string, number>;
  bands: Record<string, number>;
  reasons: Record<string, number>;
  outcomes: Record<string, number>;
  components: Record<string, { points: number; max: number; n: number }>;
}
const tally = (): Tally => ({
  days: 0,
  candles: 0,
  setups: 0,
  passed: {},
  bands: {},
  reasons: {},
  outcomes: {},
  components: {},
});
const inc = (o: Record<string, number>, k: string, n = 1) => {
  o[k] = (o[k] ?? 0) + n;
};

const all = tally();
const fullYear = tally();
const perSymbol: string[] = [];
let elapsed = 0;
let totalCandles = 0;

for (const symbol of symbols) {
  const k = loadSymbolKlines(symbol, dir);
  const c30 = k["30m"];
  const a = new SymbolAnalyzer(symbol);
  const t = tally();
  const lastPassed = new Map<string, number>();
  const started = performance.now();
  replay(a, k, (i) => {
    for (const e of a.evaluate()) {
      if (e._tag === "NoSetup") {
        inc(
          t.reasons,
          `${e.model}:${e.reason.code}${e.reason.code === "warmup" ? `:${e.reason.data?.timeframe}` : ""}`,
        );
        continue;
      }
      const s = e.setup;
      t.setups++;
      inc(t.bands, `${s.model}:${Math.min(90, Math.floor(s.score / 10) * 10)}`);
      if (s.score >= threshold) {
        inc(t.passed, s.model);
        const key = `${s.model}:${s.side}`;
        if (s.time - (lastPassed.get(key) ?? Number.NEGATIVE_INFINITY) > 6 * 3_600_000)
          inc(t.passed, "distinct6h");
        lastPassed.set(key, s.time);
        inc(t.outcomes, `${s.model}:${outcome(s, c30, i + 1)}`);
        for (const k of s.components) {
          const x = (t.components[`${s.model}:${k.name}`] ??= { points: 0, max: k.max, n: 0 });
          x.points += k.points;
          x.n++;
        }
      }
    }
  });
  elapsed += performance.now() - started;
  totalCandles += c30.length + a.trend.count + a.bias.count;
  t.candles = c30.length;
  t.days = c30.length / 48;
  const passed = (t.passed.continuation ?? 0) + (t.passed.reversal ?? 0);
  perSymbol.push(
    `${symbol.padEnd(12)} ${t.days.toFixed(0).padStart(4)} d  setups ${String(t.setups).padStart(5)}  ≥${threshold}: ${String(passed).padStart(4)} (${(passed / t.days).toFixed(2)}/d)  ${JSON.stringify(t.passed)}`,
  );
  for (const target of t.days >= 360 ? [all, fullYear] : [all]) {
    target.days += t.days;
    target.candles += t.candles;
    target.setups += t.setups;
    for (const k of ["passed", "bands", "reasons", "outcomes"] as const)
      for (const [x, n] of Object.entries(t[k])) inc(target[k], x, n);
    for (const [x, v] of Object.entries(t.components)) {
      const y = (target.components[x] ??= { points: 0, max: v.max, n: 0 });
      y.points += v.points;
      y.n += v.n;
    }
  }
}

const passedFull = (fullYear.passed.continuation ?? 0) + (fullYear.passed.reversal ?? 0);
console.log(`data: ${dir}   threshold: ${threshold}`);
console.log(perSymbol.join("\n"));
console.log(
  `\nfull-year symbols: ${(fullYear.days / 365).toFixed(0)} × 1 year: ${passedFull} signals ≥ ${threshold} = ${(passedFull / 365).toFixed(2)} per day across them (${JSON.stringify(fullYear.passed)}; distinct6h = not within 6 h of the same model+side on the symbol)`,
);
console.log(`all symbols: ${all.setups} setups, score bands ${JSON.stringify(all.bands)}`);
console.log(`outcomes ≥ ${threshold} (first of stop/TP1/TP2 within 2 days): ${JSON.stringify(all.outcomes)}`);
console.log(
  `mean component points ≥ ${threshold}: ${Object.entries(all.components)
    .map(([k, v]) => `${k} ${(v.points / v.n).toFixed(1)}/${v.max}`)
    .join(", ")}`,
);
console.log(`no-setup reasons: ${JSON.stringify(Object.entries(all.reasons).sort((x, y) => y[1] - x[1]))}`);
console.log(
  `replay: ${totalCandles} candles in ${elapsed.toFixed(0)} ms = ${((totalCandles / elapsed) * 1000).toFixed(0)} candles/s`,
);
