/**
 * Number, price, time and duration formats for the owner's messages: prices rounded to the symbol's tick with
 * integer arithmetic, times in a configurable zone (default Asia/Ho_Chi_Minh) via Intl.DateTimeFormat.
 */
import { parseStep } from "@signalbot/core";

export const DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh";

/** Digits grouped by thousands with commas, decimal point "." (as exchanges show prices). */
const group = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** A non-negative integer count of 10^-decimals units as a decimal string. */
const unitsToString = (units: bigint, decimals: number): string => {
  const s = units.toString().padStart(decimals + 1, "0");
  if (decimals === 0) return group(s);
  return `${group(s.slice(0, -decimals))}.${s.slice(-decimals)}`;
};

/**
 * `price` rounded to the nearest multiple of `tickSize` ("0.10", "0.0000001", "1"), shown with the tick's
 * decimals. Without a tick size: 5 significant digits (at least 2 decimals).
 */
export const formatPrice = (price: number, tickSize?: string): string => {
  if (!Number.isFinite(price)) return "—";
  const sign = price < 0 ? "-" : "";
  const abs = Math.abs(price);
  if (tickSize === undefined) {
    const decimals = abs === 0 ? 2 : Math.min(10, Math.max(2, 4 - Math.floor(Math.log10(abs))));
    return sign + unitsToString(BigInt(Math.round(abs * 10 ** decimals)), decimals);
  }
  const step = parseStep(tickSize);
  const scale = 10 ** step.decimals;
  const ticks = Math.round((abs * scale) / step.units);
  return sign + unitsToString(BigInt(ticks) * BigInt(step.units), step.decimals);
};

/** A plain number with `decimals` decimals and grouped thousands: 10250.5 → "10,250.50". */
export const formatNumber = (value: number, decimals = 2): string => {
  if (!Number.isFinite(value)) return "—";
  const sign = value < 0 ? "-" : "";
  return sign + unitsToString(BigInt(Math.round(Math.abs(value) * 10 ** decimals)), decimals);
};

/** Like formatNumber without trailing zeros: 0.50 → "0.5", 1.00 → "1". */
export const formatTrim = (value: number, decimals = 2): string => {
  const s = formatNumber(value, decimals);
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
};

/** Signed: +5.00 / -1.25 (0 shows as 0.00). */
export const formatSigned = (value: number, decimals = 2): string =>
  (value > 0 ? "+" : "") + formatNumber(value, decimals);

/** A fraction as a whole percentage: 0.55 → "55%"; null → "—". */
export const formatRate = (fraction: number | null | undefined): string =>
  fraction === null || fraction === undefined || !Number.isFinite(fraction)
    ? "—"
    : `${Math.round(fraction * 100)}%`;

/** Signed percent distance from `from` to `to`: 100 → 105 gives "+5.00%". */
export const formatDistance = (from: number, to: number): string =>
  from === 0 ? "—" : `${formatSigned(((to - from) / from) * 100)}%`;

/** A duration in Vietnamese: "2 ngày 3 giờ", "5 giờ 30 phút", "45 phút". */
export const formatDuration = (ms: number): string => {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h > 0 ? `${d} ngày ${h} giờ` : `${d} ngày`;
  if (h > 0) return m > 0 ? `${h} giờ ${m} phút` : `${h} giờ`;
  return `${m} phút`;
};

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "shortOffset",
    });
    formatters.set(timeZone, f);
  }
  return f;
};

/** "01/06/2025 07:30" in `timeZone`; with `zone`, followed by " (GMT+7)". */
export const formatTime = (time: number, timeZone: string = DEFAULT_TIME_ZONE, zone = false): string => {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(time)) parts[p.type] = p.value;
  const text = `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
  return zone ? `${text} (${parts.timeZoneName})` : text;
};
