/**
 * Rule 3b: a drawdown of the virtual equity above `abovePct` cuts the risk per trade to `riskPercent`.
 * Hysteresis: the base risk comes back only once the drawdown is below `releaseBelowPct`. Defaults: above
 * 8 %, 0.5 % risk, restored below 5 %.
 */
import { drawdownPct } from "./MemoryState.ts";
import { type Rule, toggle, unchanged } from "./Rule.ts";

export interface DrawdownRiskCutConfig {
  /** MEMORY_DRAWDOWN_RISK_ABOVE_PERCENT. */
  readonly abovePct: number;
  /** MEMORY_DRAWDOWN_RISK_RELEASE_BELOW_PERCENT. */
  readonly releaseBelowPct: number;
  /** MEMORY_DRAWDOWN_RISK_PER_TRADE (percent of equity). */
  readonly riskPercent: number;
}

export const DRAWDOWN_RISK_CUT: DrawdownRiskCutConfig = { abovePct: 8, releaseBelowPct: 5, riskPercent: 0.5 };

export const drawdownRiskCut: Rule<DrawdownRiskCutConfig> = (book, _closed, now, config) => {
  const s = book.state;
  const dd = drawdownPct(s);
  const fire = !s.riskCut && dd > config.abovePct;
  const relax = s.riskCut && dd < config.releaseBelowPct;
  if (!fire && !relax) return unchanged(book);
  return {
    book: { ...book, state: { ...s, riskCut: fire } },
    events: [
      {
        rule: "drawdownRiskCut",
        action: toggle(fire),
        time: now,
        data: { drawdownPct: dd, riskPercent: config.riskPercent },
      },
    ],
  };
};
