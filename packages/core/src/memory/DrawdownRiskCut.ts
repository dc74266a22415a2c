/**
 * Rule 3b: a drawdown of the virtual equity above 8 % cuts the risk per trade to 0.5 %. Hysteresis: the
 * base risk comes back only once the drawdown is below 5 %.
 */
import { drawdownPct } from "./MemoryState.ts";
import { type Rule, toggled, unchanged } from "./Rule.ts";

export const RISK_CUT_ABOVE_PCT = 8;
export const RISK_CUT_RELEASE_BELOW_PCT = 5;
export const RISK_CUT_PERCENT = 0.5;

export const drawdownRiskCut: Rule = (book, _closed, now) => {
  const s = book.state;
  const dd = drawdownPct(s);
  const fire = !s.riskCut && dd > RISK_CUT_ABOVE_PCT;
  const relax = s.riskCut && dd < RISK_CUT_RELEASE_BELOW_PCT;
  if (!fire && !relax) return unchanged(book);
  return {
    book: { ...book, state: { ...s, riskCut: fire } },
    events: [toggled("drawdownRiskCut", fire, now, { drawdownPct: dd, riskPercent: RISK_CUT_PERCENT })],
  };
};
