/**
 * `Notifier` over the Telegram Bot API: renders each notification with the Vietnamese templates (HTML parse
 * mode), sends a new signal as a chart photo with its caption (text only when the chart cannot be drawn), splits
 * long text at line boundaries, and maps Telegram failures to `DeliveryError` for the outbox worker.
 */
import {
  type Candle,
  DEFAULT_MODELS,
  type Delivery,
  DeliveryError,
  type Model,
  type Notification,
  Notifier,
  type OutboxWorkerConfig,
  SETUP_TIMEFRAME,
} from "@signalbot/core";
import { Effect, Layer } from "effect";
import { type ChartInput, modelLines, renderChartPng } from "../chart/CandleChart.ts";
import { type BotApiClient, makeBotApiClient, type TelegramError } from "./BotApiClient.ts";
import { type Doc, MAX_CAPTION, MAX_TEXT, splitText, toHtml } from "./Message.ts";
import { modelName, newSignal, newSignalCaption, render, type TemplateOptions } from "./templates.ts";

export interface TelegramNotifierConfig {
  /** TELEGRAM_BOT_TOKEN (never logged). */
  readonly token: string;
  /** TELEGRAM_CHAT_ID: a user id, or a negative group id. */
  readonly chatId: string;
  /** TELEGRAM_API_ROOT, default https://api.telegram.org. */
  readonly apiRoot?: string;
  /** TIMEZONE for the times in messages, default Asia/Ho_Chi_Minh. */
  readonly timeZone?: string;
  /** The models the bot runs (default `DEFAULT_MODELS`): their labels in messages, their lines on charts. */
  readonly models?: readonly Model[];
  /** Gap between the parts of one split message when no outbox paces them (the per-chat limit). Default 1000 ms. */
  readonly partIntervalMs?: number;
  /** Send a chart with new signals. Default true. */
  readonly charts?: boolean;
}

type Part =
  | { readonly _tag: "text"; readonly html: string }
  | { readonly _tag: "photo"; readonly png: Uint8Array; readonly caption: string };

const toDeliveryError = (e: TelegramError): DeliveryError =>
  new DeliveryError({
    reason: e.reason,
    message: e.message,
    ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs }),
  });

const textParts = (html: string): Part[] => splitText(html, MAX_TEXT).map((p) => ({ _tag: "text", html: p }));
const docParts = (doc: Doc): Part[] => textParts(toHtml(doc));

/** What identifies a notification across retries, so parts already accepted are not sent twice. */
const identity = (n: Notification): string => {
  switch (n._tag) {
    case "NewSignal":
      return `signal:${n.signal.key}`;
    case "TradeUpdate":
      return `trade:${n.trade.id}:${n.event._tag}:${n.event.time}`;
    case "Reply":
      return `reply:${n.time}:${n.text}`;
    case "Status":
      return `status:${n.status.time}`;
    case "Alert":
      return `alert:${n.time}:${JSON.stringify(n.alert)}`;
  }
};

export const makeTelegramNotifier = (
  config: TelegramNotifierConfig,
  deps: {
    readonly client?: BotApiClient;
    /** Chart renderer (injectable so tests can make it fail). */
    readonly chart?: (input: ChartInput) => Uint8Array;
  } = {},
): Notifier["Service"] => {
  const client =
    deps.client ??
    makeBotApiClient({
      token: config.token,
      ...(config.apiRoot === undefined ? {} : { apiRoot: config.apiRoot }),
    });
  const chart = deps.chart ?? ((input: ChartInput) => renderChartPng(input));
  const options: TemplateOptions = config;
  const models = config.models ?? DEFAULT_MODELS;
  const partIntervalMs = config.partIntervalMs ?? 1000;
  const chartsOn = config.charts ?? true;
  // The notification whose parts are being sent and how many Telegram accepted: a retry resumes after them.
  let progress: { id: string; sent: number } | undefined;

  const signalParts = (n: Extract<Notification, { _tag: "NewSignal" }>): Effect.Effect<Part[]> => {
    const full = newSignal(n.signal, n.info, options);
    const candles: readonly Candle[] = n.candles ?? [];
    if (!chartsOn || candles.length === 0) return Effect.succeed(docParts(full));
    const s = n.signal.setup;
    return Effect.try(() =>
      chart({
        symbol: s.symbol,
        timeframe: SETUP_TIMEFRAME,
        side: s.side,
        candles,
        entry: s.entry,
        stop: s.stop,
        targets: s.targets,
        lines: modelLines(
          models.find((m) => m.name === s.model),
          candles,
        ),
        subtitle: modelName(s.model, models),
        ...(n.info === undefined ? {} : { tickSize: n.info.tickSize }),
        ...(config.timeZone === undefined ? {} : { timeZone: config.timeZone }),
      }),
    ).pipe(
      Effect.map((png): Part[] => {
        const fullHtml = toHtml(full);
        if (fullHtml.length <= MAX_CAPTION) return [{ _tag: "photo", png, caption: fullHtml }];
        const head = newSignalCaption(n.signal, n.info, options);
        const rest: Doc = { lines: full.lines.slice(head.lines.length + 1) };
        return [{ _tag: "photo", png, caption: toHtml(head) }, ...docParts(rest)];
      }),
      Effect.catch((e) =>
        Effect.logWarning(
          `telegram: chart for "${n.signal.key}" failed, sending text only: ${e.cause instanceof Error ? e.cause.message : String(e.cause)}`,
        ).pipe(Effect.as(docParts(full))),
      ),
    );
  };

  const partsOf = (n: Notification): Effect.Effect<Part[]> =>
    n._tag === "Reply"
      ? Effect.succeed(textParts(n.text))
      : n._tag === "NewSignal"
        ? signalParts(n)
        : Effect.succeed(docParts(render(n, options)));

  const send = (part: Part, pace: Effect.Effect<void>): Effect.Effect<void, TelegramError> =>
    part._tag === "text"
      ? client.sendMessage(config.chatId, part.html)
      : client.sendPhoto(config.chatId, part.png, part.caption).pipe(
          // A photo Telegram refuses for good (size, format) must not cost the message: send the caption as text.
          Effect.catchIf(
            (e) => e.reason === "permanent",
            (e) =>
              Effect.logWarning(`telegram: photo refused, sending the caption as text: ${e.message}`).pipe(
                Effect.andThen(pace),
                Effect.andThen(client.sendMessage(config.chatId, part.caption)),
              ),
          ),
        );

  const deliver = (n: Notification, delivery?: Delivery): Effect.Effect<void, DeliveryError> =>
    Effect.gen(function* () {
      // Every request after the first is paced by the outbox (it counts them); alone, a fixed gap between parts.
      const pace = delivery?.pace ?? Effect.sleep(partIntervalMs);
      const id = identity(n);
      const parts = yield* partsOf(n);
      const start = progress?.id === id ? progress.sent : 0;
      for (let i = start; i < parts.length; i++) {
        if (i > start) yield* pace;
        yield* send(parts[i]!, pace).pipe(Effect.mapError(toDeliveryError));
        progress = { id, sent: i + 1 };
      }
      progress = undefined;
    });

  return Notifier.of({ deliver });
};

/**
 * Outbox rate limits for a chat: at most one message per `minIntervalMs` (default 1000: Telegram's 1/s per chat),
 * and in a group (negative chat id) at most `maxPerMinute` per minute (default 20, Telegram's group limit).
 */
export const telegramRateLimits = (
  chatId: string,
  overrides: { readonly minIntervalMs?: number; readonly maxPerMinute?: number } = {},
): OutboxWorkerConfig => {
  const group = chatId.trim().startsWith("-");
  const maxPerMinute = overrides.maxPerMinute ?? (group ? 20 : 0);
  return { minIntervalMs: overrides.minIntervalMs ?? 1000, ...(maxPerMinute > 0 ? { maxPerMinute } : {}) };
};

export const TelegramNotifier = {
  make: makeTelegramNotifier,
  layer: (config: TelegramNotifierConfig): Layer.Layer<Notifier> =>
    Layer.sync(Notifier, () => makeTelegramNotifier(config)),
};
