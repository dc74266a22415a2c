/**
 * Owner commands over Telegram long polling: `/status`, `/signals [n]`, `/trades`, `/stats [days]`,
 * `/pause [hours]`, `/resume`, `/universe`, `/help`, answered in Vietnamese through the outbox. Only the configured
 * chat (and, when set, only the admin user ids) is obeyed; anyone else is ignored and logged. The update offset
 * is persisted BEFORE a command runs, so a restart never replays a command (at most one is lost on a crash).
 */
import {
  DAY_MS,
  HOUR_MS,
  KeyValueStore,
  type KeyValueStore as KeyValueStoreService,
  Memory,
  type MemoryStatus,
  MODELS,
  type ModelName,
  outcomeOf,
  type Signal,
  SignalStore,
  type StoreError,
  signalsToday,
  type VirtualTrade,
  winRate,
} from "@signalbot/core";
import { Clock, Context, Effect, Layer } from "effect";
import type { BotApiClient, IncomingUpdate, TelegramError } from "./BotApiClient.ts";
import { formatDistance, formatNumber, formatPrice, formatRate, formatSigned, formatTime } from "./Format.ts";
import { bold, code, type Doc, type Line, plain, toHtml } from "./Message.ts";
import { modelName, phraseReason, status as statusDoc, type TemplateOptions } from "./templates.ts";

/** What the commands need from the running bot; the runner implements it over Memory, SignalStore and the universe. */
export class BotControl extends Context.Service<
  BotControl,
  {
    readonly status: Effect.Effect<MemoryStatus, StoreError>;
    /** The newest signals first (emitted and blocked). */
    readonly recentSignals: (n: number) => Effect.Effect<readonly Signal[], StoreError>;
    readonly openTrades: Effect.Effect<readonly VirtualTrade[], StoreError>;
    /** Trades closed in the last `days` days. */
    readonly closedTrades: (days: number) => Effect.Effect<readonly VirtualTrade[], StoreError>;
    /** Block new signals for `hours`; returns when the pause ends. */
    readonly pause: (hours: number) => Effect.Effect<{ readonly until: number }, StoreError>;
    readonly resume: Effect.Effect<void, StoreError>;
    /** The symbols being watched now. */
    readonly universe: Effect.Effect<readonly string[], StoreError>;
  }
>()("signalbot/adapters/BotControl") {
  /**
   * BotControl over the core services: status and pauses from `Memory`, signals and trades from `SignalStore`
   * (signals today = emitted in the current UTC day, as the daily cap counts them); `universe` from the runner.
   */
  static layerFromCore(
    universe: Effect.Effect<readonly string[]>,
  ): Layer.Layer<BotControl, never, Memory | SignalStore> {
    return Layer.effect(
      BotControl,
      Effect.gen(function* () {
        const memory = yield* Memory;
        const store = yield* SignalStore;
        return BotControl.of({
          status: Effect.flatMap(Effect.provideService(signalsToday, SignalStore, store), memory.status),
          recentSignals: store.recentSignals,
          openTrades: store.openTrades,
          closedTrades: (days) =>
            Effect.flatMap(Clock.currentTimeMillis, (now) => store.closedTrades(now - days * DAY_MS)),
          pause: (hours) =>
            Effect.gen(function* () {
              const now = yield* Clock.currentTimeMillis;
              const events = yield* memory.pause(hours);
              const fired = events.find((e) => e.rule === "manualPause" && e.action === "fired");
              return { until: fired?.until ?? now + hours * HOUR_MS };
            }),
          resume: Effect.asVoid(memory.resume),
          universe,
        });
      }),
    );
  }
}

export interface CommandsConfig {
  /** TELEGRAM_CHAT_ID: commands are obeyed from this chat only. */
  readonly chatId: string;
  /** TELEGRAM_ADMIN_IDS: when non-empty, only these user ids are obeyed (for groups). */
  readonly adminIds?: readonly number[];
  readonly timeZone?: string;
  /** Long-poll timeout in seconds (Telegram holds the request that long). Default 30. */
  readonly pollTimeoutSeconds?: number;
}

/** Key of the persisted update offset in the KeyValueStore. */
export const OFFSET_KEY = "telegram.updateOffset";

export const DEFAULT_SIGNALS = 5;
export const MAX_SIGNALS = 20;
export const DEFAULT_STATS_DAYS = 7;
export const DEFAULT_PAUSE_HOURS = 24;
export const MAX_PAUSE_HOURS = 24 * 30;

export interface ParsedCommand {
  readonly name: string;
  readonly args: readonly string[];
}

/** "/signals@my_bot 10" → { name: "signals", args: ["10"] }; not a command → undefined. */
export const parseCommand = (text: string): ParsedCommand | undefined => {
  const [head, ...args] = text.trim().split(/\s+/);
  if (head === undefined || !head.startsWith("/") || head.length < 2) return undefined;
  return { name: head.slice(1).split("@")[0]!.toLowerCase(), args };
};

/** Is this message from someone we obey? */
export const isAuthorized = (update: IncomingUpdate, config: CommandsConfig): boolean => {
  const m = update.message;
  if (m === undefined || String(m.chat.id) !== config.chatId) return false;
  const admins = config.adminIds ?? [];
  return admins.length === 0 || (m.from !== undefined && admins.includes(m.from.id));
};

// ---- replies -------------------------------------------------------------------------------------------

const HELP: readonly (readonly [string, string])[] = [
  ["/status", "trạng thái bộ nhớ thích ứng và mức rủi ro"],
  ["/signals [n]", `n tín hiệu gần nhất (mặc định ${DEFAULT_SIGNALS}, tối đa ${MAX_SIGNALS})`],
  ["/trades", "các lệnh ảo đang mở"],
  ["/stats [ngày]", `thống kê kết quả (mặc định ${DEFAULT_STATS_DAYS} ngày)`],
  ["/pause [giờ]", `tạm dừng phát tín hiệu (mặc định ${DEFAULT_PAUSE_HOURS} giờ)`],
  ["/resume", "tiếp tục phát tín hiệu"],
  ["/universe", "danh sách mã đang theo dõi"],
  ["/help", "danh sách lệnh"],
];

export const helpDoc = (): Doc => ({
  lines: [
    [plain("🤖 "), bold("Các lệnh của bot")],
    ...HELP.map(([c, d]): Line => [code(c), plain(` — ${d}`)]),
  ],
});

export const signalsDoc = (signals: readonly Signal[], o: TemplateOptions): Doc => {
  if (signals.length === 0) return { lines: [[plain("📋 Chưa có tín hiệu nào.")]] };
  const lines: Line[] = [[plain("📋 "), bold(`${signals.length} tín hiệu gần nhất`)]];
  for (const s of signals) {
    const x = s.setup;
    lines.push(
      [
        plain(x.side === "LONG" ? "🟢 " : "🔴 "),
        bold(x.symbol),
        plain(
          ` ${x.side} · ${modelName(x.model)} · ${formatNumber(x.score, 0)} điểm · ${formatTime(s.createdAt, o.timeZone)}`,
        ),
      ],
      s.status === "emitted"
        ? [
            plain(`   ✅ đã phát, vào `),
            code(formatPrice(x.entry)),
            plain(", cắt lỗ "),
            code(formatPrice(x.stop)),
          ]
        : [
            plain(
              `   ⛔ bị chặn: ${s.blockedBy === undefined ? "không rõ lý do" : phraseReason(s.blockedBy, { side: x.side, ...(o.timeZone ? { timeZone: o.timeZone } : {}) })}`,
            ),
          ],
    );
  }
  return { lines };
};

export const tradesDoc = (trades: readonly VirtualTrade[], o: TemplateOptions): Doc => {
  if (trades.length === 0) return { lines: [[plain("📂 Không có lệnh ảo nào đang mở.")]] };
  const lines: Line[] = [[plain("📂 "), bold(`${trades.length} lệnh ảo đang mở`)]];
  for (const t of trades) {
    lines.push(
      [
        bold(t.symbol),
        plain(` ${t.side} · ${modelName(t.model)} · mở lúc ${formatTime(t.openedAt, o.timeZone)}`),
      ],
      [
        plain("   vào "),
        code(formatPrice(t.entry)),
        plain(" · cắt lỗ "),
        code(formatPrice(t.stop)),
        plain(` · đã chạm ${t.targetsHit}/3 TP · giá gần nhất `),
        code(formatPrice(t.lastPrice)),
        plain(` (${formatDistance(t.entry, t.lastPrice)})`),
      ],
    );
  }
  return { lines };
};

export interface TradeStats {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  readonly breakevens: number;
  /** Wins / (wins + losses); break-evens are left out, as in the memory layer. */
  readonly winRate: number | null;
  readonly totalR: number;
  readonly pnlPercent: number;
  readonly byModel: Readonly<Record<ModelName, { readonly trades: number; readonly winRate: number | null }>>;
}

export const tradeStats = (trades: readonly VirtualTrade[]): TradeStats => {
  const count = (ts: readonly VirtualTrade[]) => {
    let wins = 0;
    let losses = 0;
    for (const t of ts) {
      const o = outcomeOf(t);
      if (o === "win") wins++;
      else if (o === "loss") losses++;
    }
    return { wins, losses, winRate: winRate(wins, losses) };
  };
  const all = count(trades);
  const byModel = Object.fromEntries(
    MODELS.map((m) => {
      const ts = trades.filter((t) => t.model === m);
      return [m, { trades: ts.length, winRate: count(ts).winRate }];
    }),
  ) as unknown as TradeStats["byModel"];
  return {
    trades: trades.length,
    wins: all.wins,
    losses: all.losses,
    breakevens: trades.length - all.wins - all.losses,
    winRate: all.winRate,
    totalR: trades.reduce((s, t) => s + (t.rMultiple ?? 0), 0),
    pnlPercent: trades.reduce((s, t) => s + (t.pnlPercent ?? 0), 0),
    byModel,
  };
};

export const statsDoc = (days: number, trades: readonly VirtualTrade[]): Doc => {
  const s = tradeStats(trades);
  if (s.trades === 0) return { lines: [[plain(`📈 Chưa có lệnh nào đóng trong ${days} ngày qua.`)]] };
  return {
    lines: [
      [plain("📈 "), bold(`Thống kê ${days} ngày qua`)],
      [plain(`Lệnh đã đóng: ${s.trades} (${s.wins} thắng, ${s.losses} thua, ${s.breakevens} hòa)`)],
      [plain("Tỉ lệ thắng: "), bold(formatRate(s.winRate))],
      [
        plain(
          `Tổng kết quả: ${formatSigned(s.totalR)}R (trung bình ${formatSigned(s.totalR / s.trades)}R/lệnh)`,
        ),
      ],
      [plain(`Lãi/lỗ cộng dồn: ${formatSigned(s.pnlPercent)}%`)],
      ...MODELS.map(
        (m): Line => [
          plain(`• ${modelName(m)}: ${s.byModel[m].trades} lệnh, thắng ${formatRate(s.byModel[m].winRate)}`),
        ],
      ),
    ],
  };
};

const line = (text: string): Doc => ({ lines: [[plain(text)]] });

const intArg = (arg: string | undefined, fallback: number, min: number, max: number): number | undefined => {
  if (arg === undefined) return fallback;
  const n = Number(arg);
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
};

/** Run one command and return its reply. A failing control call becomes an apologetic reply, not an error. */
export const runCommand = (
  command: ParsedCommand,
  o: TemplateOptions = {},
): Effect.Effect<Doc, never, BotControl> =>
  Effect.gen(function* () {
    const control = yield* BotControl;
    const [arg] = command.args;
    switch (command.name) {
      case "start":
      case "help":
        return helpDoc();
      case "status":
        return statusDoc(yield* control.status, o);
      case "signals": {
        const n = intArg(arg, DEFAULT_SIGNALS, 1, MAX_SIGNALS);
        if (n === undefined) return line(`❓ Số tín hiệu phải là số nguyên từ 1 đến ${MAX_SIGNALS}.`);
        return signalsDoc(yield* control.recentSignals(n), o);
      }
      case "trades":
        return tradesDoc(yield* control.openTrades, o);
      case "stats": {
        const days = intArg(arg, DEFAULT_STATS_DAYS, 1, 365);
        if (days === undefined) return line("❓ Số ngày phải là số nguyên từ 1 đến 365.");
        return statsDoc(days, yield* control.closedTrades(days));
      }
      case "pause": {
        const hours = intArg(arg, DEFAULT_PAUSE_HOURS, 1, MAX_PAUSE_HOURS);
        if (hours === undefined) return line(`❓ Số giờ phải là số nguyên từ 1 đến ${MAX_PAUSE_HOURS}.`);
        const { until } = yield* control.pause(hours);
        return line(`⏸️ Đã tạm dừng phát tín hiệu ${hours} giờ, đến ${formatTime(until, o.timeZone, true)}.`);
      }
      case "resume":
        yield* control.resume;
        return line("▶️ Đã tiếp tục phát tín hiệu.");
      case "universe": {
        const symbols = yield* control.universe;
        return {
          lines: [
            [plain("🌐 "), bold(`Đang theo dõi ${symbols.length} mã`)],
            [plain(symbols.join(", ") || "(trống)")],
          ],
        };
      }
      default:
        return line(`❓ Không hiểu lệnh “/${command.name}”. Gõ /help để xem danh sách lệnh.`);
    }
  }).pipe(
    Effect.catchTag("StoreError", (e) =>
      Effect.logError(`command /${command.name} failed: ${e.message}`).pipe(
        Effect.as(
          line(
            `❗ Không thực hiện được lệnh /${command.name}: lỗi lưu trữ (${e.reason}). Vui lòng thử lại sau.`,
          ),
        ),
      ),
    ),
  );

/** Handle one update: obey it (reply through the outbox) or ignore and log it. */
export const handleUpdate = (
  update: IncomingUpdate,
  config: CommandsConfig,
): Effect.Effect<void, StoreError, BotControl | SignalStore> =>
  Effect.gen(function* () {
    const m = update.message;
    const command = m?.text === undefined ? undefined : parseCommand(m.text);
    if (m === undefined || command === undefined) return;
    if (!isAuthorized(update, config)) {
      yield* Effect.logWarning(
        `command ignored: "/${command.name}" from chat "${m.chat.id}" user "${m.from?.id ?? "?"}" (not the owner)`,
      );
      return;
    }
    yield* Effect.logInfo(`command: "/${command.name}" from user "${m.from?.id ?? "?"}"`);
    const o: TemplateOptions = config.timeZone === undefined ? {} : { timeZone: config.timeZone };
    const reply = yield* runCommand(command, o);
    const store = yield* SignalStore;
    yield* store.enqueue({ _tag: "Reply", text: toHtml(reply), time: yield* Clock.currentTimeMillis });
  });

const readOffset = (kv: KeyValueStoreService["Service"]) =>
  Effect.map(kv.get(OFFSET_KEY), (v) => {
    const n = v === undefined ? 0 : Number(v);
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  });

/**
 * The long-polling loop (fork it; interrupting it aborts the poll in flight). Starts from the persisted
 * offset; for each update, persists `update_id + 1` first and then handles it.
 */
export const runCommandPolling = (
  client: BotApiClient,
  config: CommandsConfig,
): Effect.Effect<never, never, BotControl | SignalStore | KeyValueStore> =>
  Effect.gen(function* () {
    const kv = yield* KeyValueStore;
    yield* client.deleteWebhook.pipe(
      Effect.catch((e) => Effect.logWarning(`telegram: deleteWebhook failed: ${e.message}`)),
    );
    let offset = yield* readOffset(kv).pipe(
      Effect.catch((e) =>
        Effect.logError(`telegram: reading the update offset failed: ${e.message}`).pipe(Effect.as(0)),
      ),
    );
    let failures = 0;
    const timeout = config.pollTimeoutSeconds ?? 30;
    for (;;) {
      const polled = yield* Effect.result(client.getUpdates(offset, timeout));
      if (polled._tag === "Failure") {
        const e: TelegramError = polled.failure;
        const wait =
          e.reason === "rateLimited"
            ? (e.retryAfterMs ?? 1000)
            : e.reason === "permanent"
              ? 60_000
              : Math.min(30_000, 1000 * 2 ** failures++);
        yield* Effect.logWarning(
          `telegram: getUpdates failed (${e.reason}), retrying in ${wait} ms: ${e.message}`,
        );
        yield* Effect.sleep(wait);
        continue;
      }
      failures = 0;
      for (const update of polled.success) {
        if (update.update_id < offset) continue;
        offset = update.update_id + 1;
        const saved = yield* Effect.result(kv.set(OFFSET_KEY, String(offset)));
        if (saved._tag === "Failure") {
          // Without a durable offset a restart could replay this command: skip it rather than risk a repeat.
          yield* Effect.logError(
            `telegram: update ${update.update_id} skipped, offset not saved: ${saved.failure.message}`,
          );
          continue;
        }
        yield* handleUpdate(update, config).pipe(
          Effect.catch((e) =>
            Effect.logError(`telegram: reply to update ${update.update_id} not queued: ${e.message}`),
          ),
        );
      }
    }
  });
