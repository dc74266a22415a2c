/**
 * Bundled into the bot for the chaos soak and the live benchmarks (`probedStart.ts`): appends one line per candle the bot puts into a
 * symbol's series (warm-up, stream, backfill, 4h/1d closes) to `CHAOS_CANDLE_AUDIT`, so the soak can compare
 * what the bot stored with what the fake exchange served. It wraps `SymbolAnalyzer.push` and changes nothing
 * else; without the variable it does nothing.
 * Line format: `pid symbol timeframe openTime result close` (result: Appended | Replaced | Gap | Rejected).
 */
import { heapStats } from "bun:jsc";
import { appendFileSync } from "node:fs";
import { SymbolAnalyzer } from "@signalbot/core";

const path = process.env.CHAOS_CANDLE_AUDIT;
if (path !== undefined && path !== "") {
  const push = SymbolAnalyzer.prototype.push;
  const pid = process.pid;
  SymbolAnalyzer.prototype.push = function (this: SymbolAnalyzer, timeframe, candle) {
    const result = push.call(this, timeframe, candle);
    // Synchronous append: a kill -9 loses nothing that was already recorded.
    appendFileSync(
      path,
      `${pid} ${this.symbol} ${timeframe} ${candle.openTime} ${result._tag} ${candle.close}\n`,
    );
    return result;
  };
}

/** One audit line, parsed. */
export interface AuditLine {
  readonly pid: number;
  readonly symbol: string;
  readonly timeframe: string;
  readonly openTime: number;
  readonly result: string;
  readonly close: number;
}

export const parseAudit = (text: string): AuditLine[] => {
  const out: AuditLine[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(" ");
    // A line cut by kill -9 mid-write has fewer fields or a truncated number: skip it (it was not complete).
    if (f.length !== 6) continue;
    const [pid, symbol, timeframe, openTime, result, close] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const parsed = {
      pid: Number(pid),
      symbol,
      timeframe,
      openTime: Number(openTime),
      result,
      close: Number(close),
    };
    if (!Number.isFinite(parsed.pid) || !Number.isFinite(parsed.openTime) || !Number.isFinite(parsed.close))
      continue;
    out.push(parsed);
  }
  return out;
};

/**
 * With `CHAOS_SCAN_TIMING` set, also appends `symbol openTime wallMs` each time a symbol's scan
 * (`SymbolAnalyzer.evaluate`) returns: the burst benchmark measures from the candle close it pushed to the
 * last of these lines.
 */
const timingPath = process.env.CHAOS_SCAN_TIMING;
if (timingPath !== undefined && timingPath !== "") {
  const evaluate = SymbolAnalyzer.prototype.evaluate;
  SymbolAnalyzer.prototype.evaluate = function (this: SymbolAnalyzer, ...args: Parameters<typeof evaluate>) {
    const out = evaluate.apply(this, args);
    const last = this.series("30m").lastOpenTime ?? 0;
    appendFileSync(timingPath, `${this.symbol} ${last} ${Date.now()}\n`);
    return out;
  };
}

/**
 * With `CHAOS_HEAP_LOG` set, every 5 s: a full GC, then `pid wallMs heapBytes objectCount` is appended — the
 * live heap without the garbage and allocator slack that RSS also counts, for the soak's leak check.
 */
const heapPath = process.env.CHAOS_HEAP_LOG;
if (heapPath !== undefined && heapPath !== "") {
  const sample = () => {
    Bun.gc(true);
    const h = heapStats();
    appendFileSync(heapPath, `${process.pid} ${Date.now()} ${h.heapSize} ${h.objectCount}\n`);
  };
  setInterval(sample, 5_000).unref();
}
