/**
 * Per-user command rate limit: at most `perMinute` commands from one user in any 60 s, so a burst of commands
 * (40 `/help` in a row) cannot queue replies ahead of real alerts. Pure: time is passed in.
 */

/** What to do with one command: obey it, tell the user once that they are going too fast, or drop it. */
export type CommandVerdict = "obey" | "tooFast" | "drop";

export interface CommandLimiter {
  readonly check: (userId: number, now: number) => CommandVerdict;
}

const WINDOW_MS = 60_000;

export const makeCommandLimiter = (perMinute: number): CommandLimiter => {
  const recent = new Map<number, number[]>();
  const warned = new Map<number, number>();
  return {
    check: (userId, now) => {
      const times = (recent.get(userId) ?? []).filter((t) => t > now - WINDOW_MS);
      if (times.length < perMinute) {
        times.push(now);
        recent.set(userId, times);
        return "obey";
      }
      recent.set(userId, times);
      // One "too fast" answer per window that the user keeps exceeding; the rest are dropped in silence.
      const last = warned.get(userId);
      if (last !== undefined && last > now - WINDOW_MS) return "drop";
      warned.set(userId, now);
      return "tooFast";
    },
  };
};
