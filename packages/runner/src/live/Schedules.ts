/**
 * The loop's clocks, all on Effect's Clock (wall time live, the fake exchange's clock in tests): the daily
 * status message at DAILY_STATUS_HOUR in TIMEZONE and the market-data freshness watchdog.
 */
import { HOUR_MS, MINUTE_MS } from "@signalbot/core";

const QUARTER_MS = 15 * MINUTE_MS;

const localHourMinute = (time: number, timeZone: string): { hour: number; minute: number } => {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(time));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? "0");
  return { hour: get("hour"), minute: get("minute") };
};

/** The next instant strictly after `now` at which it is `hour`:00 in `timeZone` (zones on quarter-hour offsets). */
export const nextLocalHour = (now: number, hour: number, timeZone: string): number => {
  let t = Math.floor(now / QUARTER_MS) * QUARTER_MS + QUARTER_MS;
  for (let i = 0; i < 4 * 24 * 2; i++, t += QUARTER_MS) {
    const local = localHourMinute(t, timeZone);
    if (local.hour === hour && local.minute === 0) return t;
  }
  return now + 24 * HOUR_MS; // a zone skipping that hour today (DST): try again tomorrow
};

/** Freshness state machine: "stale" once after `staleMs` without data, "recovered" when data comes back. */
export class StaleWatch {
  private staleSince: number | undefined;
  constructor(private readonly staleMs: number) {}

  check(now: number, lastDataAt: number): { readonly _tag: "Stale"; readonly minutes: number } | undefined {
    if (this.staleSince !== undefined || now - lastDataAt < this.staleMs) return undefined;
    this.staleSince = lastDataAt;
    return { _tag: "Stale", minutes: Math.floor((now - lastDataAt) / MINUTE_MS) };
  }

  /** Data arrived at `now`: the outage (if any) ends. */
  fresh(now: number): { readonly _tag: "Recovered"; readonly downMinutes: number } | undefined {
    if (this.staleSince === undefined) return undefined;
    const downMinutes = Math.round((now - this.staleSince) / MINUTE_MS);
    this.staleSince = undefined;
    return { _tag: "Recovered", downMinutes };
  }

  get stale(): boolean {
    return this.staleSince !== undefined;
  }
}
