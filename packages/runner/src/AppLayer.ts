/**
 * The composition root: the application's Layer graph, built once from the configuration — SQLite stores,
 * the adaptive memory over them, the signal pipeline, Binance REST market data (one weight governor), the
 * notifier (Telegram when TELEGRAM_BOT_TOKEN is set, the console otherwise) — and the pieces the live loop
 * takes beside the layer: the kline stream, the REST governor's view, Telegram command polling.
 */
import {
  BinanceMarketData,
  BinanceMarketPoll,
  BinanceMarketStream,
  BinanceRest,
  WS_RECONNECT,
} from "@signalbot/adapters/binance";
import { ConsoleNotifier } from "@signalbot/adapters/console";
import * as Sqlite from "@signalbot/adapters/sqlite";
import {
  BotControl,
  makeBotApiClient,
  registerCommandMenu,
  runCommandPolling,
  TelegramNotifier,
  telegramRateLimits,
} from "@signalbot/adapters/telegram";
import {
  type CandleCache,
  flatFunding,
  HigherTimeframes,
  type KeyValueStore,
  type MarketStream,
  Memory,
  type MemoryConfig,
  type MemoryRulesConfig,
  type MemoryStore,
  type Model,
  type Notifier,
  Pipeline,
  type RestEvent,
  type SignalStore,
  type StoreError,
} from "@signalbot/core";
import { Clock, Context, Effect, Layer } from "effect";
import type { AppConfig } from "./Config.ts";
import type { LiveOptions, LiveServices } from "./live/Live.ts";
import { restProbe } from "./observability/HealthProbe.ts";
import type { Logger } from "./observability/Log.ts";
import { storageProbe, watchStorage } from "./observability/StorageWatch.ts";

/** `CandleCache`: the warm-up cache kept across restarts (the loop finds it in the context). */
export type AppServices = LiveServices | MemoryStore | CandleCache | Sqlite.SqliteDatabase;

export interface AppParts {
  /** Every service the loop needs; building it opens (and migrates) the database, closing its scope closes it. */
  readonly layer: Layer.Layer<AppServices, StoreError>;
  readonly rest: BinanceRest;
  /** The live loop's options that come from the wiring (REST view, commands, outbox pacing, probes). */
  readonly live: Pick<
    LiveOptions,
    "restWeightUsed" | "restEvents" | "companions" | "outbox" | "probes" | "lastPrice"
  >;
}

export interface AppOverrides {
  /** Replaces the notifier (tests). */
  readonly notifier?: Layer.Layer<Notifier>;
  /** Text sink of the console notifier (default standard output). */
  readonly consoleWrite?: (text: string) => void;
  /** Replaces the kline stream (tests that script it). */
  readonly stream?: Layer.Layer<MarketStream>;
  /** Outbox pacing over Telegram's defaults (the demo speeds it up). */
  readonly outbox?: LiveOptions["outbox"];
  /** WebSocket reconnect backoff (the simulation shortens it; defaults 1 s doubling to 60 s). */
  readonly reconnect?: { readonly baseMs: number; readonly maxMs: number };
  /** REST retry backoff after a 5xx or a network error (the simulation shortens it; default 0.5 s doubling to 30 s). */
  readonly restRetry?: { readonly baseMs: number; readonly maxMs: number };
  /**
   * Length of the REST weight window in real ms (default 60 000, Binance's minute). Simulations that replay market
   * days in real seconds shrink it, with the fake exchange's, so the budget keeps its proportion to market time.
   */
  readonly restWeightWindowMs?: number;
  /** Long-poll timeout of Telegram commands, seconds (default 30). */
  readonly pollTimeoutSeconds?: number;
  /**
   * The models the bot runs (loaded from MODELS; default the built-in ones): the memory's status lists them,
   * messages and charts name and draw them.
   */
  readonly models?: readonly Model[];
}

/**
 * The Binance kline streams (`MarketStream`): one 30m stream per symbol on shards of WS_MAX_STREAMS_PER_CONN,
 * gaps backfilled through the shared REST client (same weight budget). Connection health is real time: the
 * stream keeps the wall clock even when the runner's clock is another (the demo and simulations run on
 * the fake exchange's market time).
 */
export const binanceStream = (
  config: AppConfig,
  log: Logger,
  rest: BinanceRest,
  reconnect?: AppOverrides["reconnect"],
): Layer.Layer<MarketStream> => {
  const streamLog = log.child("ws");
  return BinanceMarketStream.layer({
    wsUrl: config.wsUrl,
    maxStreamsPerConnection: config.wsMaxStreamsPerConn,
    staleAfterMs: config.wsStaleAfterMs,
    reconnect: reconnect ?? { ...WS_RECONNECT, maxMs: config.wsReconnectMaxMs },
    backfill: BinanceMarketData.backfillFrom(rest),
    log: (line) => streamLog.debug(line),
  }).pipe(Layer.provide(Layer.succeed(Clock.Clock, Clock.Clock.defaultValue())));
};

/**
 * MARKET_DATA=poll: the same port without a WebSocket — the just-closed 30m candles fetched by REST
 * POLL_DELAY_SECONDS after each close, through the shared REST client (same weight budget). Its rounds follow the
 * runner's clock, so a simulation on market time polls on market time.
 */
export const binancePoll = (config: AppConfig, log: Logger, rest: BinanceRest): Layer.Layer<MarketStream> => {
  const pollLog = log.child("poll");
  return BinanceMarketPoll.layer({
    fetch: BinanceMarketData.backfillFrom(rest),
    delayMs: config.pollDelaySeconds * 1000,
    log: (line) => pollLog.debug(line),
  });
};

/** The memory rules' numbers from the MEMORY_* variables (percentages become fractions where rules use them). */
export const memoryRulesOf = (config: AppConfig): MemoryRulesConfig => ({
  windows: {
    global: config.memoryWindowTrades,
    model: config.memoryModelWindowTrades,
    symbol: config.memorySymbolWindowTrades,
  },
  winRateThreshold: {
    minTrades: config.memoryWinRateMinTrades,
    floor: config.memoryWinRateFloorPercent / 100,
    points: config.memoryWinRateThresholdPoints,
  },
  lossStreakPause: { losses: config.memoryLossStreak, hours: config.memoryLossStreakPauseHours },
  drawdownSignalCap: {
    abovePct: config.memoryDrawdownCapAbovePercent,
    releaseBelowPct: config.memoryDrawdownCapReleaseBelowPercent,
    maxSignalsPerDay: config.memoryDrawdownCapSignalsPerDay,
  },
  drawdownRiskCut: {
    abovePct: config.memoryDrawdownRiskAbovePercent,
    releaseBelowPct: config.memoryDrawdownRiskReleaseBelowPercent,
    riskPercent: config.memoryDrawdownRiskPerTrade,
  },
  symbolCooldown: { losses: config.memorySymbolLossStreak, hours: config.memorySymbolCooldownHours },
  symbolScorePenalty: {
    minTrades: config.memorySymbolMinTrades,
    floor: config.memorySymbolWinRateFloorPercent / 100,
    points: config.memorySymbolPenaltyPoints,
  },
  modelDisable: {
    models: config.memoryDisableModels,
    minTrades: config.memoryReversalMinTrades,
    floor: config.memoryReversalDisableBelowPercent / 100,
    hours: config.memoryReversalDisableHours,
  },
  modelPreference: {
    model: config.memoryPreferredModel,
    minTrades: config.memoryContinuationMinTrades,
    winRate: config.memoryContinuationPreferAbovePercent / 100,
  },
});

/** The memory layer's configuration from the environment. */
export const memoryConfigOf = (config: AppConfig, models?: readonly Model[]): MemoryConfig => ({
  ...(models === undefined ? {} : { models: models.map((m) => m.name) }),
  baseThreshold: config.scoreThreshold,
  baseMaxSignalsPerDay: config.maxSignalsPerDay,
  baseRiskPercent: config.riskPerTrade,
  startingBalance: config.startingBalance,
  enabled: config.memoryEnabled,
  rules: memoryRulesOf(config),
});

/** The signal pipeline's configuration from the environment. */
export const pipelineConfigOf = (config: AppConfig) => ({
  costs: {
    takerFeeRate: config.takerFeePercent / 100,
    slippageRate: config.slippagePercent / 100,
    funding: flatFunding(config.fundingRatePercent / 100),
  },
  timeoutCandles: config.tradeTimeoutCandles,
  maxOpenTradesPerSymbol: config.maxOpenTradesPerSymbol,
  maxCostR: config.maxCostR,
  maxLeverage: config.maxLeverage,
});

export const makeApp = (config: AppConfig, log: Logger, overrides: AppOverrides = {}): AppParts => {
  const restListeners: ((event: RestEvent) => void)[] = [];
  const rest = new BinanceRest({
    restUrl: config.restUrl,
    weightBudget: config.restWeightBudget,
    ...(overrides.restWeightWindowMs === undefined ? {} : { weightWindowMs: overrides.restWeightWindowMs }),
    ...(overrides.restRetry === undefined
      ? {}
      : { backoffBaseMs: overrides.restRetry.baseMs, backoffMaxMs: overrides.restRetry.maxMs }),
    onEvent: (event: RestEvent) => {
      for (const listener of restListeners) listener(event);
    },
  });
  // A write that meets a full disk (or a read-only remount...) waits and is retried each second: nothing the
  // loop decided is lost; /healthz and one alert say so meanwhile (observability/StorageWatch).
  let storageStatus: () => Sqlite.WriteStatus = () => ({});
  const stores = Sqlite.layer({ path: config.databasePath, retryWritesEveryMs: 1000 }).pipe(
    Layer.tap((context) =>
      Effect.sync(() => {
        storageStatus = Context.get(context, Sqlite.SqliteDatabase).writeStatus;
      }),
    ),
  );
  const telegram =
    config.telegramBotToken === undefined || config.telegramChatId === undefined
      ? undefined
      : { token: config.telegramBotToken, chatId: config.telegramChatId };
  const apiRoot = config.telegramApiRoot === undefined ? {} : { apiRoot: config.telegramApiRoot };
  const models = overrides.models === undefined ? {} : { models: overrides.models };
  const notifier =
    overrides.notifier ??
    (telegram === undefined
      ? ConsoleNotifier.layer({
          timeZone: config.timeZone,
          ...models,
          ...(overrides.consoleWrite === undefined ? {} : { write: overrides.consoleWrite }),
        })
      : TelegramNotifier.layer({ ...telegram, ...apiRoot, timeZone: config.timeZone, ...models }));
  const marketData = BinanceMarketData.layerFromRest(rest);
  const layer: Layer.Layer<AppServices, StoreError> = Layer.mergeAll(
    Memory.layer(memoryConfigOf(config, overrides.models)),
    Pipeline.layer(pipelineConfigOf(config)),
    HigherTimeframes.layerMarketData.pipe(Layer.provideMerge(marketData)),
    overrides.stream ??
      (config.marketData === "poll"
        ? binancePoll(config, log, rest)
        : binanceStream(config, log, rest, overrides.reconnect)),
    notifier,
  ).pipe(Layer.provideMerge(stores));

  log.info(
    config.marketData === "poll"
      ? `market data: the closed 30m candles by REST, ${config.pollDelaySeconds} s after each close (MARKET_DATA=poll)${config.pollPriceSeconds > 0 ? `, open trades' prices every ${config.pollPriceSeconds} s` : ""}`
      : "market data: 30m kline WebSocket streams (MARKET_DATA=stream)",
  );
  const companions: NonNullable<LiveOptions["companions"]>[number][] = [
    () => watchStorage(() => storageStatus()),
  ];
  if (telegram !== undefined) {
    const client = makeBotApiClient({ token: telegram.token, ...apiRoot });
    companions.push(({ universe }) =>
      runCommandPolling(client, {
        chatId: telegram.chatId,
        adminIds: config.telegramAdminIds,
        timeZone: config.timeZone,
        ...models,
        ...(overrides.pollTimeoutSeconds === undefined
          ? {}
          : { pollTimeoutSeconds: overrides.pollTimeoutSeconds }),
      }).pipe(Effect.provide(BotControl.layerFromCore(universe))),
    );
    companions.push(() => registerCommandMenu(client));
    log.info("notifications and commands: Telegram", { chat: telegram.chatId });
  } else log.info("notifications: console (TELEGRAM_BOT_TOKEN is not set)");

  return {
    layer,
    rest,
    live: {
      restWeightUsed: () => rest.governor.usedWeight(),
      lastPrice: BinanceMarketData.priceFrom(rest),
      restEvents: (listener) => restListeners.push(listener),
      companions,
      probes: { rest: restProbe(rest), storage: storageProbe(() => storageStatus()) },
      outbox:
        overrides.outbox ??
        (telegram === undefined
          ? { minIntervalMs: 0 }
          : telegramRateLimits(telegram.chatId, {
              minIntervalMs: config.telegramMinIntervalMs,
              ...(config.telegramMaxPerMinute === undefined
                ? {}
                : { maxPerMinute: config.telegramMaxPerMinute }),
            })),
    },
  };
};

export type { KeyValueStore, SignalStore };
