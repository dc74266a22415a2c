/** The bot's own record (`TrackRecord`): what its closed virtual trades made, in R, and how many there are. */
import type { TrackRecord } from "../model/Notification.ts";
import type { VirtualTrade } from "../model/Trade.ts";

/** The record of `trades` (closed ones; an open trade counts nothing). */
export const trackRecord = (trades: readonly VirtualTrade[]): TrackRecord => {
  let n = 0;
  let totalR = 0;
  for (const t of trades)
    if (t.status === "closed") {
      n++;
      totalR += t.rMultiple ?? 0;
    }
  return { trades: n, totalR, expectancyR: n === 0 ? null : totalR / n };
};
