/**
 * One warning that can repeat a thousand times a minute (a malformed frame per message) logged as a few lines:
 * the first at once, then one line per window with how many more came, where, and the last one's text.
 */
export interface RepeatedWarning {
  /** One occurrence at `now`, from `where` (a shard), saying `message`. */
  readonly add: (now: number, where: string, message: string) => void;
  /** Logs the count of a window that has passed (call it on a timer so the last window is told too). */
  readonly flush: (now: number) => void;
}

export const makeRepeatedWarning = (options: {
  /** What a line says before the detail, e.g. "malformed frame". */
  readonly what: string;
  /** e.g. "shard". */
  readonly whereLabel: string;
  readonly windowMs: number;
  readonly warn: (line: string) => void;
}): RepeatedWarning => {
  const { what, whereLabel, windowMs, warn } = options;
  let windowStart: number | undefined;
  let more = 0;
  let last = "";
  const places = new Set<string>();

  const flush = (now: number) => {
    if (windowStart === undefined || now < windowStart + windowMs) return;
    if (more === 0) {
      windowStart = undefined;
      return;
    }
    const list = [...places].sort().join(", ");
    warn(
      `${what}: ${more} more in the last ${Math.round((now - windowStart) / 1000)} s on ${whereLabel} ${list} (last: ${last})`,
    );
    windowStart = now;
    more = 0;
    places.clear();
  };

  return {
    add: (now, where, message) => {
      flush(now);
      if (windowStart === undefined) {
        windowStart = now;
        warn(`${what} on ${whereLabel} ${where}: ${message} (repeats are counted for ${windowMs / 1000} s)`);
        return;
      }
      more++;
      last = message;
      places.add(where);
    },
    flush,
  };
};
