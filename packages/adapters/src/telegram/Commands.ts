/**
 * Owner commands over Telegram long polling: `/status`, `/signals [n]`, `/trades`, `/profit [days]`,
 * `/daily [days]`, `/performance [days]`, `/stats [days]`, `/pause [hours]`, `/resume`, `/universe`, `/help`,
 * answered in Vietnamese through the outbox. Only the configured
 * chat (and, when set, only the admin user ids) is obeyed; anyone else is ignored and logged. The update offset
 * is persisted BEFORE a command runs, so a restart never replays a command (at most one is lost on a crash).
 */
import {
  type Alert,
  DAY_MS,
  DEFAULT_MODELS,
  HOUR_MS,
  KeyValueStore,
  type KeyValueStore as KeyValueStoreService,
  Memory,
  type MemoryStatus,
  type Model,
  type ModelName,
  reportedModels,
  type Signal,
  SignalStore,
  type StoreError,
  signalsToday,
  trackRecord,
  type VirtualTrade,
} from "@signalbot/core";
import { Clock, Context, Effect, Layer } from "effect";
import type { BotApiClient, IncomingUpdate, TelegramError } from "./BotApiClient.ts";
import { type CommandLimiter, makeCommandLimiter } from "./CommandLimiter.ts";
import { formatDistance, formatNumber, formatPrice, formatRate, formatSigned, formatTime } from "./Format.ts";
import { bold, code, type Doc, type Line, plain, toHtml } from "./Message.ts";
import {
  ALL_TIME_DAYS,
  DEFAULT_DAILY_DAYS,
  dailyDoc,
  MAX_DAILY_DAYS,
  performanceDoc,
  profitDoc,
  summarize,
  type TradeSummary,
} from "./Reports.ts";
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
  /** The models the bot runs (default `DEFAULT_MODELS`): their labels in messages, their lines on charts. */
  readonly models?: readonly Model[];
  /** Long-poll timeout in seconds (Telegram holds the request that long). Default 30. */
  readonly pollTimeoutSeconds?: number;
  /**
   * The bot's own username (without "@"): a command addressed to another bot (`/status@OtherBot`) is ignored.
   * The polling loop asks Telegram (getMe) when it is not given.
   */
  readonly botUsername?: string;
  /** Commands obeyed per user per minute; more get one "too fast" answer, then silence. Default 5. */
  readonly commandsPerMinute?: number;
}

/** Key of the persisted update offset in the KeyValueStore. */
export const OFFSET_KEY = "telegram.updateOffset";

export const DEFAULT_SIGNALS = 5;
export const MAX_SIGNALS = 20;
export const DEFAULT_STATS_DAYS = 7;
export const DEFAULT_PAUSE_HOURS = 24;
export const MAX_PAUSE_HOURS = 24 * 30;
export const DEFAULT_COMMANDS_PER_MINUTE = 5;

export interface ParsedCommand {
  /** Lower-cased, at most `MAX_COMMAND_NAME` characters (a longer one is cut and ends in "…"). */
  readonly name: string;
  readonly args: readonly string[];
  /** The bot a command is addressed to in a group (`/status@my_bot`), lower-cased, without "@". */
  readonly addressedTo?: string;
}

/** Telegram command names are 1–32 characters; anything longer is not a command of ours and is cut for display. */
export const MAX_COMMAND_NAME = 32;

/** "/signals@my_bot 10" → { name: "signals", args: ["10"], addressedTo: "my_bot" }; not a command → undefined. */
export const parseCommand = (text: string): ParsedCommand | undefined => {
  const [head, ...args] = text.trim().split(/\s+/);
  if (head === undefined || !head.startsWith("/") || head.length < 2) return undefined;
  const [rawName = "", bot] = head.slice(1).split("@");
  const name = rawName.toLowerCase();
  return {
    name: name.length > MAX_COMMAND_NAME ? `${name.slice(0, MAX_COMMAND_NAME)}…` : name,
    args,
    ...(bot === undefined ? {} : { addressedTo: bot.toLowerCase() }),
  };
};

/** Is this message from someone we obey? */
export const isAuthorized = (update: IncomingUpdate, config: CommandsConfig): boolean => {
  const m = update.message;
  if (m === undefined || String(m.chat.id) !== config.chatId) return false;
  const admins = config.adminIds ?? [];
  return admins.length === 0 || (m.from !== undefined && admins.includes(m.from.id));
};

// ---- replies -------------------------------------------------------------------------------------------

/** Every command with its arguments and what it does: `/help` lists them, `setMyCommands` makes the "/" menu. */
export const HELP: readonly (readonly [string, string])[] = [
  ["/status", "trạng thái bộ nhớ thích ứng và mức rủi ro"],
  ["/signals [số]", `các tín hiệu gần nhất (mặc định ${DEFAULT_SIGNALS}, tối đa ${MAX_SIGNALS})`],
  ["/trades", "các lệnh ảo đang mở"],
  ["/profit [ngày]", "tổng lãi/lỗ các lệnh ảo đã đóng (mặc định từ đầu)"],
  ["/daily [ngày]", `lãi/lỗ từng ngày (mặc định ${DEFAULT_DAILY_DAYS} ngày)`],
  ["/performance [ngày]", "kết quả theo mô hình và theo mã (mặc định từ đầu)"],
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
          ` ${x.side} · ${modelName(x.model, o.models)} · ${formatNumber(x.score, 0)} điểm · ${formatTime(s.createdAt, o.timeZone)}`,
        ),
      ],
      s.status === "emitted"
        ? [
            plain(`   ✅ đã phát, giá vào `),
            code(formatPrice(x.entry)),
            plain(", cắt lỗ "),
            code(formatPrice(x.stop)),
          ]
        : [
            plain(
              `   ⛔ bị chặn: ${s.blockedBy === undefined ? "không rõ lý do" : phraseReason(s.blockedBy, { side: x.side, ...(o.timeZone ? { timeZone: o.timeZone } : {}), ...(o.models ? { models: o.models } : {}) })}`,
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
        plain(` ${t.side} · ${modelName(t.model, o.models)} · mở lúc ${formatTime(t.openedAt, o.timeZone)}`),
      ],
      [
        plain("   giá vào "),
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

/**
 * What `/stats` shows: the counts of `summarize`, the summed R and money (never summed percentages: each trade's
 * % is of a different account), and each model's win rate (the registered models in order, then any other
 * that traded).
 */
export interface TradeStats
  extends Pick<TradeSummary, "trades" | "wins" | "losses" | "breakevens" | "winRate" | "totalR" | "pnl"> {
  readonly byModel: Readonly<
    Record<ModelName, { readonly trades: number; readonly winRate: number | null; readonly totalR: number }>
  >;
}

export const tradeStats = (
  trades: readonly VirtualTrade[],
  models: readonly Model[] = DEFAULT_MODELS,
): TradeStats => {
  const all = summarize(trades);
  const byModel = Object.fromEntries(
    reportedModels(models, trades).map((m) => {
      const ts = trades.filter((t) => t.model === m);
      const x = summarize(ts);
      return [m, { trades: ts.length, winRate: x.winRate, totalR: x.totalR }];
    }),
  );
  return {
    trades: trades.length,
    wins: all.wins,
    losses: all.losses,
    breakevens: all.breakevens,
    winRate: all.winRate,
    totalR: all.totalR,
    pnl: all.pnl,
    byModel,
  };
};

export const statsDoc = (
  days: number,
  trades: readonly VirtualTrade[],
  models: readonly Model[] = DEFAULT_MODELS,
): Doc => {
  const s = tradeStats(trades, models);
  if (s.trades === 0) return { lines: [[plain(`📈 Chưa có lệnh nào đóng trong ${days} ngày qua.`)]] };
  return {
    lines: [
      [plain("📈 "), bold(`Thống kê ${days} ngày qua`)],
      [plain(`Lệnh đã đóng: ${s.trades} (${s.wins} thắng, ${s.losses} thua, ${s.breakevens} hòa vốn)`)],
      [plain("Tỉ lệ thắng: "), bold(formatRate(s.winRate))],
      [
        plain(
          `Tổng kết quả: ${formatSigned(s.totalR)}R (trung bình ${formatSigned(s.totalR / s.trades)}R/lệnh)`,
        ),
      ],
      [plain(`Lãi/lỗ cộng dồn: ${formatSigned(s.pnl)} USDT`)],
      ...Object.entries(s.byModel).map(
        ([m, x]): Line => [
          plain(
            `• ${modelName(m, models)}: ${x.trades} lệnh, thắng ${formatRate(x.winRate)}, ${formatSigned(x.totalR)}R`,
          ),
        ],
      ),
    ],
  };
};

const line = (text: string): Doc => ({ lines: [[plain(text)]] });

/** A storage failure as the owner reads it. */
const STORE_TROUBLE: Readonly<Record<StoreError["reason"], string>> = {
  unavailable: "không mở được cơ sở dữ liệu",
  readOnly: "cơ sở dữ liệu đang ở chế độ chỉ đọc",
  diskFull: "ổ đĩa của máy chủ đã đầy",
  locked: "cơ sở dữ liệu đang bận",
  corrupt: "cơ sở dữ liệu bị hỏng",
  unknown: "lỗi lưu trữ chưa rõ nguyên nhân",
};

/**
 * The command's only argument as a whole number in [min, max] (absent: `fallback`), written in plain digits:
 * "0x10", "1e1", "7.0", "+7" and a second argument are refused rather than guessed at.
 */
const intArg = (args: readonly string[], fallback: number, min: number, max: number): number | undefined => {
  if (args.length > 1) return undefined;
  const [arg] = args;
  if (arg === undefined) return fallback;
  if (!/^\d{1,6}$/.test(arg)) return undefined;
  const n = Number(arg);
  return n >= min && n <= max ? n : undefined;
};

/** Run one command and return its reply. A failing control call becomes an apologetic reply, not an error. */
export const runCommand = (
  command: ParsedCommand,
  o: TemplateOptions = {},
): Effect.Effect<Doc, never, BotControl> =>
  Effect.gen(function* () {
    const control = yield* BotControl;
    const args = command.args;
    switch (command.name) {
      case "start":
      case "help":
        return helpDoc();
      case "status":
        return statusDoc(yield* control.status, o, trackRecord(yield* control.closedTrades(ALL_TIME_DAYS)));
      case "signals": {
        const n = intArg(args, DEFAULT_SIGNALS, 1, MAX_SIGNALS);
        if (n === undefined)
          return line(`❓ Cách dùng: /signals [số] — số tín hiệu phải là số nguyên từ 1 đến ${MAX_SIGNALS}.`);
        return signalsDoc(yield* control.recentSignals(n), o);
      }
      case "trades":
        return tradesDoc(yield* control.openTrades, o);
      case "stats": {
        const days = intArg(args, DEFAULT_STATS_DAYS, 1, 365);
        if (days === undefined)
          return line("❓ Cách dùng: /stats [ngày] — số ngày phải là số nguyên từ 1 đến 365.");
        return statsDoc(days, yield* control.closedTrades(days), o.models);
      }
      case "pause": {
        const hours = intArg(args, DEFAULT_PAUSE_HOURS, 1, MAX_PAUSE_HOURS);
        if (hours === undefined)
          return line(`❓ Cách dùng: /pause [giờ] — số giờ phải là số nguyên từ 1 đến ${MAX_PAUSE_HOURS}.`);
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
      case "profit": {
        const days = intArg(args, ALL_TIME_DAYS, 1, ALL_TIME_DAYS);
        if (days === undefined)
          return line("❓ Cách dùng: /profit [ngày] — số ngày phải là số nguyên dương.");
        return profitDoc(days, yield* control.closedTrades(days), yield* control.status);
      }
      case "daily": {
        const days = intArg(args, DEFAULT_DAILY_DAYS, 1, MAX_DAILY_DAYS);
        if (days === undefined)
          return line(`❓ Cách dùng: /daily [ngày] — số ngày phải là số nguyên từ 1 đến ${MAX_DAILY_DAYS}.`);
        // One day more than shown, so the oldest calendar day is complete in the owner's zone.
        const trades = yield* control.closedTrades(days + 1);
        return dailyDoc(days, trades, yield* Clock.currentTimeMillis, o.timeZone);
      }
      case "performance": {
        const days = intArg(args, ALL_TIME_DAYS, 1, ALL_TIME_DAYS);
        if (days === undefined)
          return line("❓ Cách dùng: /performance [ngày] — số ngày phải là số nguyên dương.");
        return performanceDoc(days, yield* control.closedTrades(days), o.models);
      }
      default:
        return line(`❓ Không hiểu lệnh “/${command.name}”. Gõ /help để xem danh sách lệnh.`);
    }
  }).pipe(
    Effect.catchTag("StoreError", (e) =>
      Effect.logError(`command /${command.name} failed: ${e.message}`).pipe(
        Effect.as(
          line(
            `❗ Không thực hiện được lệnh /${command.name}: ${STORE_TROUBLE[e.reason]}. Vui lòng thử lại sau.`,
          ),
        ),
      ),
    ),
  );

const TOO_FAST = (perMinute: number) =>
  line(
    `⏳ Bạn gửi lệnh quá nhanh: tối đa ${perMinute} lệnh mỗi phút. Các lệnh thêm bị bỏ qua, hãy thử lại sau.`,
  );

/**
 * Handle one update: obey it (reply through the outbox) or ignore and log it. A command addressed to another
 * bot is not ours; `limiter` (per user) keeps a burst of commands from flooding the outbox and the log.
 */
export const handleUpdate = (
  update: IncomingUpdate,
  config: CommandsConfig,
  limiter: CommandLimiter = makeCommandLimiter(config.commandsPerMinute ?? DEFAULT_COMMANDS_PER_MINUTE),
): Effect.Effect<void, StoreError, BotControl | SignalStore> =>
  Effect.gen(function* () {
    const m = update.message;
    const command = m?.text === undefined ? undefined : parseCommand(m.text);
    if (m === undefined || command === undefined) return;
    const own = config.botUsername?.toLowerCase();
    if (command.addressedTo !== undefined && command.addressedTo !== own) {
      yield* Effect.logDebug(`command ignored: "/${command.name}" is addressed to another bot`);
      return;
    }
    const perMinute = config.commandsPerMinute ?? DEFAULT_COMMANDS_PER_MINUTE;
    const verdict = limiter.check(m.from?.id ?? m.chat.id, yield* Clock.currentTimeMillis);
    if (verdict === "drop") return;
    if (verdict === "tooFast") {
      yield* Effect.logWarning(
        `commands from user "${m.from?.id ?? "?"}" in chat "${m.chat.id}" over ${perMinute} per minute: the rest of this minute's are ignored`,
      );
      if (isAuthorized(update, config)) yield* enqueueReply(TOO_FAST(perMinute));
      return;
    }
    if (!isAuthorized(update, config)) {
      yield* Effect.logWarning(
        `command ignored: "/${command.name}" from chat "${m.chat.id}" user "${m.from?.id ?? "?"}" (not the owner)`,
      );
      return;
    }
    yield* Effect.logInfo(`command: "/${command.name}" from user "${m.from?.id ?? "?"}"`);
    const o: TemplateOptions = config;
    yield* enqueueReply(yield* runCommand(command, o));
  });

const enqueueReply = (reply: Doc) =>
  Effect.gen(function* () {
    const store = yield* SignalStore;
    yield* store.enqueue({ _tag: "Reply", text: toHtml(reply), time: yield* Clock.currentTimeMillis });
  });

/** How often polling is retried while another process holds the token's getUpdates (409). */
export const CONFLICT_RETRY_MS = 30_000;

const enqueueAlert = (alert: Alert) =>
  Effect.gen(function* () {
    const store = yield* SignalStore;
    yield* store.enqueue({ _tag: "Alert", alert, time: yield* Clock.currentTimeMillis });
  }).pipe(Effect.catch((e) => Effect.logError(`telegram: alert "${alert.kind}" not queued: ${e.message}`)));

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
    let conflictSince: number | undefined;
    const timeout = config.pollTimeoutSeconds ?? 30;
    const limiter = makeCommandLimiter(config.commandsPerMinute ?? DEFAULT_COMMANDS_PER_MINUTE);
    // Our own name tells `/status@us` from `/status@someone_else` in a group; asked again until Telegram answers.
    let own = config;
    const learnName = Effect.gen(function* () {
      if (own.botUsername !== undefined) return;
      const me = yield* Effect.result(client.getMe);
      if (me._tag === "Success") own = { ...config, botUsername: me.success.username };
      else
        yield* Effect.logWarning(
          `telegram: getMe failed, commands addressed to a bot are ignored meanwhile: ${me.failure.message}`,
        );
    });
    for (;;) {
      yield* learnName;
      const polled = yield* Effect.result(client.getUpdates(offset, timeout));
      if (polled._tag === "Failure" && polled.failure.status === 409) {
        // Telegram serves one getUpdates per token: another process (a second bot) is polling. Say it once per
        // episode, then keep trying quietly: when the other one stops, commands come back here.
        if (conflictSince === undefined) {
          conflictSince = yield* Clock.currentTimeMillis;
          yield* Effect.logError(
            `telegram: another process is polling with this bot token (getUpdates 409): commands may go to it; stop the other bot (retrying every ${CONFLICT_RETRY_MS / 1000} s): ${polled.failure.message}`,
          );
          yield* enqueueAlert({ kind: "telegramConflict" });
        } else
          yield* Effect.logDebug(`telegram: getUpdates still 409, retrying in ${CONFLICT_RETRY_MS / 1000} s`);
        yield* Effect.sleep(CONFLICT_RETRY_MS);
        continue;
      }
      if (polled._tag === "Failure") {
        const e: TelegramError = polled.failure;
        const wait =
          e.reason === "rateLimited"
            ? (e.retryAfterMs ?? 1000)
            : e.reason === "permanent" || e.reason === "blocked"
              ? 60_000
              : Math.min(30_000, 1000 * 2 ** failures++);
        yield* Effect.logWarning(
          `telegram: getUpdates failed (${e.reason}), retrying in ${wait} ms: ${e.message}`,
        );
        yield* Effect.sleep(wait);
        continue;
      }
      failures = 0;
      if (conflictSince !== undefined) {
        const minutes = Math.round(((yield* Clock.currentTimeMillis) - conflictSince) / 60_000);
        yield* Effect.logInfo(`telegram: polling works again after ${minutes} min of conflict`);
        conflictSince = undefined;
      }
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
        yield* handleUpdate(update, own, limiter).pipe(
          Effect.catch((e) =>
            Effect.logError(`telegram: reply to update ${update.update_id} not queued: ${e.message}`),
          ),
        );
      }
    }
  });
