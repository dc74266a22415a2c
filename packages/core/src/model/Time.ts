/**
 * Durations in milliseconds and the UTC day: the one place the project takes them from, so "24 hours" and
 * "today" mean the same thing to the daily cap, the memory rules, the live loop and the Telegram commands.
 */

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** 00:00 UTC of the day containing `time` (ms UTC). */
export const utcDayStart = (time: number): number => Math.floor(time / DAY_MS) * DAY_MS;
