/**
 * The shape every adaptive-memory rule shares: a pure step from (state + locks, the trade that just closed,
 * event time, the rule's own configuration) to new state + locks and the events it produced. A lock's
 * `until` derives from the trade's close time, so replaying the same trades gives the same locks.
 */
import type { MemoryEvent } from "../model/MemoryEvent.ts";
import type { Outcome, VirtualTrade } from "../model/Trade.ts";
import type { MemoryLock } from "../port/MemoryStore.ts";
import type { MemoryBook } from "./MemoryState.ts";

/** A closed trade as the rules see it (already recorded into the state's windows and streaks). */
export interface ClosedTrade {
  readonly trade: VirtualTrade;
  readonly outcome: Outcome;
  /** The trade's close time (event time); locks run from here. */
  readonly closedAt: number;
}

export interface RuleStep {
  readonly book: MemoryBook;
  readonly events: readonly MemoryEvent[];
}

/** One rule over its configuration `C` (see MemoryRulesConfig). */
export type Rule<C> = (book: MemoryBook, closed: ClosedTrade, now: number, config: C) => RuleStep;

export const unchanged = (book: MemoryBook): RuleStep => ({ book, events: [] });

/**
 * Place (or replace) `lock`, remembering the evidence (`state.seq`) that armed it, with `event` as what the
 * rule says about it. Returns `undefined` when that same evidence already armed it: a lock never re-arms on
 * old evidence.
 */
export const arm = (book: MemoryBook, lock: MemoryLock, event: MemoryEvent): RuleStep | undefined => {
  const key = `${lock.rule}:${lock.target ?? ""}`;
  if ((book.state.armedAt[key] ?? -1) >= book.state.seq) return undefined;
  const locks = book.locks.filter((l) => !(l.rule === lock.rule && l.target === lock.target));
  return {
    book: {
      state: { ...book.state, armedAt: { ...book.state.armedAt, [key]: book.state.seq } },
      locks: [...locks, lock],
    },
    events: [event],
  };
};

/** "fired" when an on/off adjustment turns on, "relaxed" when it turns off. */
export const toggle = (on: boolean): "fired" | "relaxed" => (on ? "fired" : "relaxed");

/** The "relaxed" event of a lock lifted at `now`: at its expiry, or by the owner's /resume. */
export const liftedEvent = (lock: MemoryLock, now: number, by?: "owner"): MemoryEvent => {
  const lifted = {
    action: "relaxed",
    time: now,
    until: lock.until,
    ...(by === undefined ? {} : { data: { by } }),
  } as const;
  switch (lock.rule) {
    case "lossStreakPause":
    case "manualPause":
      return { rule: lock.rule, ...lifted };
    case "symbolCooldown":
      return { rule: lock.rule, scope: lock.target ?? "", ...lifted };
    case "modelDisable":
      return { rule: lock.rule, scope: lock.target ?? "", ...lifted };
  }
};
