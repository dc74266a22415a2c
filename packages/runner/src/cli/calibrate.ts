/**
 * `bun run calibrate -- [--data DIR] [--symbols A,B] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--check]`: fits each
 * model's score weights on every setup of the data traded alone (research/Calibrate.ts), prints them beside
 * the shipped ones with the fitted score's terciles and the setups per day each threshold lets through.
 * `--check` exits 1 when the fit differs from the weights in core's Params.ts (the committed defaults are
 * this command's output on the committed fixtures). Exit 2 on bad arguments or data.
 */
import { Effect } from "effect";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import { calibrate, weightsSource } from "../research/Calibrate.ts";
import { loadMarket } from "../research/Market.ts";
import { parseCosts, parsePeriod, parseSymbols, readFlags } from "./Flags.ts";

const USAGE = `Usage: bun run calibrate -- [--data DIR] [--symbols A,B] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--check]

Fits each model's score weights to outcomes: every setup of the data traded alone (default costs), a
non-negative logistic fit of the score components on "the trade won", points summing to 100. Prints the
fit beside the shipped weights, the fitted score's terciles, and the setups per symbol-day each threshold
lets through (× watched symbols = signals a day before the daily cap and the one-trade-per-symbol rule).
  --data DIR    kline files (default: the committed fixtures/klines)
  --check       exit 1 if the fit differs from the weights in packages/core/src/strategy/Params.ts`;

const read = readFlags(
  process.argv.slice(2),
  new Set(["--data", "--symbols", "--from", "--to"]),
  new Set(["--check"]),
);
if (read.help) {
  console.log(USAGE);
  process.exit(0);
}
const { values, problems } = read;
const symbols = parseSymbols("--symbols", values.get("--symbols") ?? "", problems);
const period = parsePeriod(values, problems);
const { costs, fundingRate } = parseCosts(values, problems);
if (problems.length > 0) {
  for (const p of problems) console.error(`calibrate: ${p}`);
  process.exit(2);
}
const dataDir = values.get("--data") ?? FIXTURE_KLINES_DIR;
const market = await Effect.runPromise(
  loadMarket({ dataDir, symbols, costs, fundingRate }).pipe(
    Effect.catchTag("MarketDataError", (e) =>
      Effect.sync(() => {
        console.error(`calibrate: ${e.message}`);
        process.exit(2);
      }),
    ),
  ),
);
if (market.start === null || market.end === null) {
  console.error(`calibrate: no 30m candles in ${dataDir}`);
  process.exit(2);
}
const c = calibrate(market, { from: period.from ?? market.start, to: period.to ?? market.end });

const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);
const r2 = (x: number | null) => (x === null ? "–" : `${x >= 0 ? "+" : ""}${x.toFixed(2)}`);
const ci = (s: { readonly expectancyCi95: readonly [number, number] | null }) =>
  s.expectancyCi95 === null ? "–" : `${r2(s.expectancyCi95[0])} … ${r2(s.expectancyCi95[1])}`;
console.log(`calibration on ${dataDir}: ${c.setups} setups over ${c.symbolDays.toFixed(0)} symbol-days`);
let same = true;
for (const [model, m] of Object.entries(c.models)) {
  console.log(
    `\n${model}: ${m.samples} closed setups${m.informative ? "" : " — no component predicts: equal points"}`,
  );
  for (const [name, w] of Object.entries(m.weights)) {
    const now = m.current[name];
    if (now !== w) same = false;
    console.log(
      `  ${name.padEnd(16)} fitted ${String(w).padStart(3)}   shipped ${String(now).padStart(3)}   coefficient ${(m.coefficients[name] ?? 0).toFixed(3)}`,
    );
  }
}
console.log("\nfitted score terciles (in sample):");
for (const [i, t] of c.terciles.entries())
  console.log(
    `  ${["low ", "mid ", "high"][i]} ${t.from.toFixed(0).padStart(3)}–${t.to.toFixed(0).padEnd(3)}  ${String(t.trades).padStart(5)} trades  win ${pct(t.winRate)}  exp. ${r2(t.expectancyR)} R (95% CI ${ci(t)})`,
  );
console.log("\nthreshold: setups at or above it (traded alone, in sample)");
for (const t of c.thresholds)
  console.log(
    `  ≥ ${String(t.threshold).padStart(3)}  ${t.perSymbolDay.toFixed(3)} per symbol-day (${(40 * t.perSymbolDay).toFixed(1)}/day at 40 symbols)  exp. ${r2(t.stats.expectancyR)} R (95% CI ${ci(t.stats)})`,
  );
console.log(`\nas packages/core/src/strategy/Params.ts writes them:\n${weightsSource(c)}`);
if (values.has("--check") || read.switches.has("--check")) {
  console.log(
    same ? "\ncheck: the shipped weights are this fit" : "\ncheck: the shipped weights differ from this fit",
  );
  process.exit(same ? 0 : 1);
}
