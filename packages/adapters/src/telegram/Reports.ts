/**
 * The owner's results reports over closed virtual trades, as freqtrade's `/profit`, `/daily` and `/performance`
 * give them: totals, day by day in the owner's time zone, and by model and symbol. Pure functions from trades to
 * a `Doc`; `summarize` is the one place wins, losses and break-evens are counted (as the memory layer does).
 */
import {
  DEFAULT_MODELS,
  type MemoryStatus,
  type Model,
  outcomeOf,
  reportedModels,
  type VirtualTrade,
} from "@signalbot/core";
import { DEFAULT_TIME_ZONE, formatNumber, formatRate, formatSigned, formatTime } from "./Format.ts";
import { bold, type Doc, type Line, plain } from "./Message.ts";
import { modelName } from "./templates.ts";

/** What a set of closed trades adds up to. */
export interface TradeSummary {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  readonly breakevens: number;
  /** Wins / (wins + losses); break-evens are left out, as in the memory layer. */
  readonly winRate: number | null;
  readonly totalR: number;
  /** Realised pnl in USDT, fees included. */
  readonly pnl: number;
  /** Sum of the winners' R over the sum of the losers' |R| (null without a loss). */
  readonly profitFactor: number | null;
  readonly best: VirtualTrade | undefined;
  readonly worst: VirtualTrade | undefined;
}

export const summarize = (trades: readonly VirtualTrade[]): TradeSummary => {
  let wins = 0;
  let losses = 0;
  let totalR = 0;
  let pnl = 0;
  let gainR = 0;
  let lossR = 0;
  let best: VirtualTrade | undefined;
  let worst: VirtualTrade | undefined;
  for (const t of trades) {
    const r = t.rMultiple ?? 0;
    const o = outcomeOf(t);
    if (o === "win") wins++;
    else if (o === "loss") losses++;
    totalR += r;
    pnl += t.pnl ?? 0;
    if (r > 0) gainR += r;
    else lossR -= r;
    if (best === undefined || r > (best.rMultiple ?? 0)) best = t;
    if (worst === undefined || r < (worst.rMultiple ?? 0)) worst = t;
  }
  return {
    trades: trades.length,
    wins,
    losses,
    breakevens: trades.length - wins - losses,
    winRate: wins + losses === 0 ? null : wins / (wins + losses),
    totalR,
    pnl,
    profitFactor: lossR === 0 ? null : gainR / lossR,
    best,
    worst,
  };
};

/** `/profit` and `/performance` without a number of days: every closed trade. */
export const ALL_TIME_DAYS = 36_500;
export const DEFAULT_DAILY_DAYS = 7;
export const MAX_DAILY_DAYS = 90;
/** Symbols listed by `/performance` before "and N more". */
export const PERFORMANCE_SYMBOLS = 15;

const period = (days: number): string => (days >= ALL_TIME_DAYS ? "từ đầu" : `${days} ngày qua`);
const money = (pnl: number): string => `${formatSigned(pnl)} USDT`;
const result = (s: TradeSummary): string =>
  `${s.trades} lệnh, thắng ${formatRate(s.winRate)}, ${formatSigned(s.totalR)}R, ${money(s.pnl)}`;

/** `/profit [days]`: what the closed virtual trades made, and the virtual equity now. */
export const profitDoc = (days: number, trades: readonly VirtualTrade[], status: MemoryStatus): Doc => {
  const s = summarize(trades);
  const head: Line = [plain("💰 "), bold(`Lãi/lỗ ${period(days)}`)];
  const equity: Line = [
    plain(
      `Vốn ảo hiện tại: ${formatNumber(status.equity)} USDT (đỉnh ${formatNumber(status.peakEquity)}, sụt giảm ${formatNumber(status.drawdownPct)}%)`,
    ),
  ];
  if (s.trades === 0) return { lines: [head, [plain("Chưa có lệnh ảo nào đóng.")], equity] };
  const lines: Line[] = [
    head,
    [plain(`Lệnh đã đóng: ${s.trades} (${s.wins} thắng, ${s.losses} thua, ${s.breakevens} hòa vốn)`)],
    [plain("Tỉ lệ thắng: "), bold(formatRate(s.winRate))],
    [plain("Tổng: "), bold(`${formatSigned(s.totalR)}R`), plain(` · ${money(s.pnl)}`)],
    [plain(`Trung bình mỗi lệnh: ${formatSigned(s.totalR / s.trades)}R`)],
    [
      plain(
        `Hệ số lợi nhuận (tổng R thắng / tổng R thua): ${s.profitFactor === null ? "chưa có lệnh thua" : formatNumber(s.profitFactor)}`,
      ),
    ],
  ];
  if (s.best !== undefined && s.worst !== undefined)
    lines.push([
      plain(
        `Tốt nhất: ${s.best.symbol} ${formatSigned(s.best.rMultiple ?? 0)}R · kém nhất: ${s.worst.symbol} ${formatSigned(s.worst.rMultiple ?? 0)}R`,
      ),
    ]);
  lines.push(equity);
  return { lines };
};

/** The calendar date of `time` in `timeZone`, as "dd/mm/yyyy". */
const localDate = (time: number, timeZone: string): string => formatTime(time, timeZone).slice(0, 10);

/** The last `days` calendar dates in `timeZone`, today first (calendar arithmetic: DST cannot skip a day). */
const lastDates = (now: number, days: number, timeZone: string): string[] => {
  const [d, m, y] = localDate(now, timeZone).split("/").map(Number) as [number, number, number];
  return Array.from({ length: days }, (_, i) => localDate(Date.UTC(y, m - 1, d - i, 12), "UTC"));
};

/**
 * `/daily [days]`: one line per calendar day in the owner's zone, today first, empty days included. `trades`
 * must cover the whole oldest day (fetch one day more than shown).
 */
export const dailyDoc = (
  days: number,
  trades: readonly VirtualTrade[],
  now: number,
  timeZone: string = DEFAULT_TIME_ZONE,
): Doc => {
  const dates = lastDates(now, days, timeZone);
  const byDate = new Map<string, VirtualTrade[]>(dates.map((d) => [d, []]));
  for (const t of trades) if (t.closedAt !== undefined) byDate.get(localDate(t.closedAt, timeZone))?.push(t);
  const shown = [...byDate.values()].flat();
  const lines: Line[] = [[plain("📅 "), bold(`Lãi/lỗ từng ngày, ${days} ngày qua`)]];
  for (const date of dates) {
    const s = summarize(byDate.get(date) ?? []);
    lines.push([
      bold(date),
      plain(
        s.trades === 0
          ? ": không có lệnh đóng"
          : `: ${s.trades} lệnh, ${formatSigned(s.totalR)}R, ${money(s.pnl)}`,
      ),
    ]);
  }
  const total = summarize(shown);
  lines.push([plain("Tổng: "), bold(result(total))]);
  return { lines };
};

/**
 * `/performance [days]`: results by model (each registered model, then any other that traded), then by symbol
 * (best total R first).
 */
export const performanceDoc = (
  days: number,
  trades: readonly VirtualTrade[],
  models: readonly Model[] = DEFAULT_MODELS,
): Doc => {
  const head: Line = [plain("🏆 "), bold(`Kết quả theo mô hình và theo mã, ${period(days)}`)];
  if (trades.length === 0) return { lines: [head, [plain("Chưa có lệnh ảo nào đóng.")]] };
  const lines: Line[] = [head, [bold("Theo mô hình")]];
  for (const m of reportedModels(models, trades)) {
    const s = summarize(trades.filter((t) => t.model === m));
    lines.push([plain(`• ${modelName(m, models)}: ${s.trades === 0 ? "chưa có lệnh" : result(s)}`)]);
  }
  const bySymbol = new Map<string, VirtualTrade[]>();
  for (const t of trades) bySymbol.set(t.symbol, [...(bySymbol.get(t.symbol) ?? []), t]);
  const ranked = [...bySymbol]
    .map(([symbol, ts]) => ({ symbol, s: summarize(ts) }))
    .sort((a, b) => b.s.totalR - a.s.totalR || (a.symbol < b.symbol ? -1 : 1));
  lines.push([bold("Theo mã")]);
  ranked.slice(0, PERFORMANCE_SYMBOLS).forEach(({ symbol, s }, i) => {
    lines.push([plain(`${i + 1}. `), bold(symbol), plain(`: ${result(s)}`)]);
  });
  if (ranked.length > PERFORMANCE_SYMBOLS)
    lines.push([plain(`… và ${ranked.length - PERFORMANCE_SYMBOLS} mã khác`)]);
  return { lines };
};
