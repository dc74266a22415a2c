/**
 * Rule 3a: a drawdown of the virtual equity above 5 % caps new signals at 2 per day. Hysteresis: the cap is
 * lifted only once the drawdown is back below 3 %, so equity hovering around 5 % does not flap it.
 */
import { drawdownPct } from "./MemoryState.ts";
import { type Rule, toggled, unchanged } from "./Rule.ts";

export const SIGNAL_CAP_ABOVE_PCT = 5;
export const SIGNAL_CAP_RELEASE_BELOW_PCT = 3;
export const SIGNAL_CAP_PER_DAY = 2;

export const drawdownSignalCap: Rule = (book, _closed, now) => {
  const s = book.state;
  const dd = drawdownPct(s);
  const fire = !s.signalCap && dd > SIGNAL_CAP_ABOVE_PCT;
  const relax = s.signalCap && dd < SIGNAL_CAP_RELEASE_BELOW_PCT;
  if (!fire && !relax) return unchanged(book);
  return {
    book: { ...book, state: { ...s, signalCap: fire } },
    events: [
      toggled("drawdownSignalCap", fire, now, { drawdownPct: dd, maxSignalsPerDay: SIGNAL_CAP_PER_DAY }),
    ],
  };
};
