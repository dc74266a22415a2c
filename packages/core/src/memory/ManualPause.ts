/**
 * The owner's /pause and /resume: a global lock for a number of hours from now, and lifting it together
 * with a loss-streak pause (the owner has looked and decided to go on).
 */
import type { ManualPauseEvent, MemoryEvent } from "../model/MemoryEvent.ts";
import { HOUR_MS } from "../model/Time.ts";
import type { MemoryBook } from "./MemoryState.ts";
import { liftedEvent } from "./Rule.ts";

/** Rules whose locks /resume lifts. */
export const RESUMABLE: ReadonlySet<string> = new Set(["manualPause", "lossStreakPause"]);

export const pauseBook = (
  book: MemoryBook,
  hours: number,
  now: number,
): { book: MemoryBook; events: ManualPauseEvent[] } => {
  const until = now + Math.max(0, hours) * HOUR_MS;
  const locks = book.locks.filter((l) => l.rule !== "manualPause");
  return {
    book: {
      ...book,
      locks: [
        ...locks,
        {
          scope: "global",
          rule: "manualPause",
          until,
          reason: `paused by owner for ${hours} h`,
          createdAt: now,
        },
      ],
    },
    events: [{ rule: "manualPause", action: "fired", time: now, until, data: { hours } }],
  };
};

export const resumeBook = (book: MemoryBook, now: number): { book: MemoryBook; events: MemoryEvent[] } => {
  const lifted = book.locks.filter((l) => RESUMABLE.has(l.rule));
  return {
    book: { ...book, locks: book.locks.filter((l) => !RESUMABLE.has(l.rule)) },
    events: lifted.map((l) => liftedEvent(l, now, "owner")),
  };
};
