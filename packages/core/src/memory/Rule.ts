/**
 * The shape every adaptive-memory rule shares: a pure step from (state + locks, the trade that just closed,
 * event time) to new state + locks and the events it produced. A lock's `until` derives from the trade's
 * close time, so replaying the same trades gives the same locks.
 */
import type { MemoryEvent, MemoryRule } from "../model/Notification.ts";
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

export type Rule = (book: MemoryBook, closed: ClosedTrade, now: number) => RuleStep;

export const unchanged = (book: MemoryBook): RuleStep => ({ book, events: [] });

const armKey = (rule: MemoryRule, target: string | undefined): string => `${rule}:${target ?? ""}`;

/**
 * Place (or replace) the lock of `rule` on `target`, remembering the evidence (`state.seq`) that armed it.
 * Returns `undefined` when that same evidence already armed it: a lock never re-arms on old evidence.
 */
export const arm = (
  book: MemoryBook,
  lock: MemoryLock,
  now: number,
  data?: Readonly<Record<string, number | string>>,
): RuleStep | undefined => {
  const key = armKey(lock.rule, lock.target);
  if ((book.state.armedAt[key] ?? -1) >= book.state.seq) return undefined;
  const locks = book.locks.filter((l) => !(l.rule === lock.rule && l.target === lock.target));
  const event: MemoryEvent = {
    rule: lock.rule,
    action: "fired",
    time: now,
    until: lock.until,
    ...(lock.target === undefined ? {} : { scope: lock.target }),
    ...(data === undefined ? {} : { data }),
  };
  return {
    book: {
      state: { ...book.state, armedAt: { ...book.state.armedAt, [key]: book.state.seq } },
      locks: [...locks, lock],
    },
    events: [event],
  };
};

/** An on/off adjustment changed: the matching event. */
export const toggled = (
  rule: MemoryRule,
  on: boolean,
  now: number,
  data: Readonly<Record<string, number | string>>,
  scope?: string,
): MemoryEvent => ({
  rule,
  action: on ? "fired" : "relaxed",
  time: now,
  data,
  ...(scope === undefined ? {} : { scope }),
});
