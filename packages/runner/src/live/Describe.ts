/**
 * How the live loop words what it decided, for log lines: a reason with its data
 * (`cooldown until 2026-03-02T14:30Z`), a memory event, a trade event.
 */
import type { MemoryEvent, Reason, TradeEvent, UniverseSkip } from "@signalbot/core";

/** ISO time to the minute, UTC: `2026-03-02T14:30Z`. */
export const isoMinute = (time: number): string => `${new Date(time).toISOString().slice(0, 16)}Z`;

/** The UTC day: `2026-03-02`. */
export const isoDay = (time: number): string => new Date(time).toISOString().slice(0, 10);

/** Day and minute, UTC, as reports and tables print it: `2026-03-02 14:30`; "–" for no time. */
export const dayMinute = (time: number | null | undefined): string =>
  time === null || time === undefined ? "–" : new Date(time).toISOString().slice(0, 16).replace("T", " ");

const value = (key: string, v: number | string): string =>
  typeof v === "number" && (key === "until" || key.endsWith("At") || key.endsWith("Time")) && v > 1e12
    ? isoMinute(v)
    : typeof v === "number"
      ? String(Math.abs(v) < 1 ? Number(v.toPrecision(3)) : Math.round(v * 100) / 100)
      : JSON.stringify(v);

/** `cooldown until 2026-03-02T14:30Z`, `scoreBelowThreshold score=71 threshold=75`. */
export const describeReason = (reason: Reason): string => {
  const data = reason.data ?? {};
  const parts = [reason.code];
  if (data.until !== undefined) parts.push(`until ${value("until", data.until)}`);
  for (const [k, v] of Object.entries(data)) if (k !== "until") parts.push(`${k}=${value(k, v)}`);
  return parts.join(" ");
};

/** `lossStreakPause fired until 2026-03-02T14:30Z`, `symbolCooldown relaxed "SOLUSDT"`. */
export const describeMemoryEvent = (e: MemoryEvent): string =>
  [
    `${e.rule} ${e.action}`,
    "scope" in e ? JSON.stringify(e.scope) : "",
    "until" in e ? `until ${isoMinute(e.until)}` : "",
  ]
    .filter((s) => s !== "")
    .join(" ");

export const describeTradeEvent = (e: TradeEvent): string => {
  switch (e._tag) {
    case "Opened":
      return `opened at ${e.price}`;
    case "TargetHit":
      return `TP${e.target} hit at ${e.price}, stop now ${e.stop}`;
    case "Closed":
      return `closed (${e.reason}) at ${e.price}: ${e.rMultiple.toFixed(2)} R, pnl ${e.pnl.toFixed(2)}`;
  }
};

/** Why the universe left a symbol out: `7-day range 0.12 % < 2 %`, `pegged asset USDC`, `listed 12 days ago < 50`. */
export const describeSkip = (skip: UniverseSkip): string => {
  switch (skip.code) {
    case "pegged":
      return `pegged asset ${skip.asset}`;
    case "tooYoung":
      return skip.from === "listing"
        ? `listed ${skip.ageDays} days ago < ${skip.minDays} days`
        : `${skip.ageDays} days of data < ${skip.minDays} days`;
    case "narrowRange":
      return `${skip.days}-day range ${skip.rangePercent} % < ${skip.minPercent} %`;
  }
};
