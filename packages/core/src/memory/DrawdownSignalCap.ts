/**
 * Rule 3a: a drawdown of the virtual equity above `abovePct` caps new signals at `maxSignalsPerDay`.
 * Hysteresis: the cap is lifted only once the drawdown is back below `releaseBelowPct`, so equity hovering
 * around the trigger does not flap it. Defaults: above 5 %, 2 per day, lifted below 3 %.
 */
import { drawdownPct } from "./MemoryState.ts";
import { type Rule, toggle, unchanged } from "./Rule.ts";

export interface DrawdownSignalCapConfig {
  /** MEMORY_DRAWDOWN_CAP_ABOVE_PERCENT. */
  readonly abovePct: number;
  /** MEMORY_DRAWDOWN_CAP_RELEASE_BELOW_PERCENT. */
  readonly releaseBelowPct: number;
  /** MEMORY_DRAWDOWN_CAP_SIGNALS_PER_DAY. */
  readonly maxSignalsPerDay: number;
}

export const DRAWDOWN_SIGNAL_CAP: DrawdownSignalCapConfig = {
  abovePct: 5,
  releaseBelowPct: 3,
  maxSignalsPerDay: 2,
};

export const drawdownSignalCap: Rule<DrawdownSignalCapConfig> = (book, _closed, now, config) => {
  const s = book.state;
  const dd = drawdownPct(s);
  const fire = !s.signalCap && dd > config.abovePct;
  const relax = s.signalCap && dd < config.releaseBelowPct;
  if (!fire && !relax) return unchanged(book);
  return {
    book: { ...book, state: { ...s, signalCap: fire } },
    events: [
      {
        rule: "drawdownSignalCap",
        action: toggle(fire),
        time: now,
        data: { drawdownPct: dd, maxSignalsPerDay: config.maxSignalsPerDay },
      },
    ],
  };
};
