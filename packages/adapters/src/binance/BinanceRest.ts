/**
 * Binance USD-M futures public REST client (ky + p-retry): every call goes through the shared weight governor,
 * retries only what is worth retrying, and decodes the response strictly into domain types or fails with a
 * `MarketDataError` that names the endpoint.
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api
 */
import {
  type Candle,
  type FundingSettlement,
  MarketDataError,
  type RestEvent,
  TIMEFRAME_MS,
  type Timeframe,
  type UniverseEntry,
} from "@signalbot/core";
import ky, { type KyInstance } from "ky";
import pRetry, { AbortError } from "p-retry";
import {
  decodeExchangeInfo,
  decodeFundingRates,
  decodeKlineRows,
  decodePriceTicker,
  decodeServerTime,
  decodeTickers,
  type ExchangeSymbol,
  type PriceSample,
  requestWeightLimit,
  type TickerStats,
} from "./Decode.ts";
import { REST_RETRY, restRetryOptions } from "./Schedules.ts";
import {
  cheapestKlinesLimit,
  ENDPOINT_WEIGHT,
  type GovernorClock,
  klinesWeight,
  systemClock,
  WeightGovernor,
} from "./WeightGovernor.ts";

export interface BinanceRestConfig {
  /** `BINANCE_REST_URL`, default `https://fapi.binance.com`. */
  readonly restUrl?: string;
  /** Request weight this process may use per minute (`BINANCE_WEIGHT_BUDGET`, default 1200 of Binance's 2400). */
  readonly weightBudget?: number;
  /** Length of the weight window (default 60 000 ms, Binance's minute; tests shrink it). */
  readonly weightWindowMs?: number;
  /**
   * One deadline per attempt for the whole answer, headers AND body (default 10 000 ms): a body that never
   * finishes is aborted, its concurrency slot freed, and the attempt retried as a transient failure.
   */
  readonly timeoutMs?: number;
  /** Retries after 5xx, timeouts and network errors (default 5); 429/418 waits do not count. */
  readonly retries?: number;
  /** First backoff delay; doubles per retry with random jitter (default 500 ms). */
  readonly backoffBaseMs?: number;
  /** Longest backoff delay (default 30 000 ms). */
  readonly backoffMaxMs?: number;
  /** Random extra pause after a 429 on top of `Retry-After` (default 0–1000 ms). */
  readonly rateLimitJitterMs?: number;
  /** A call waits out a 418 ban shorter than this; longer bans fail at once with reason "banned" (default 60 000). */
  readonly maxBanWaitMs?: number;
  /** How long exchangeInfo is reused (default 1 h). */
  readonly exchangeInfoTtlMs?: number;
  /** How long the 24 h tickers are reused (default 5 min). */
  readonly tickersTtlMs?: number;
  /** Requests in flight at once (default 8); after a ban the client probes with one and ramps back up. */
  readonly maxConcurrent?: number;
  /**
   * `/fapi/v1/fundingRate` requests per 5 minutes this process allows itself (default 250): Binance limits
   * that endpoint (with `/fapi/v1/fundingInfo`) to 500 per 5 min per IP, apart from the request weight.
   */
  readonly fundingRequestBudget?: number;
  readonly clock?: GovernorClock;
  readonly random?: () => number;
  /** Rate-limit alerts (429 pauses, 418 bans and their end) and retried failures (network, 5xx). */
  readonly onEvent?: (event: RestEvent) => void;
  readonly fetch?: typeof fetch;
}

export const DEFAULT_REST_URL = "https://fapi.binance.com";

/** What the client tells its owner (core's `RestEvent`): the governor's rate-limit events and each retry. */
export type { RestEvent };

/**
 * How REST has been doing, for /healthz: degraded from a failed attempt (network error, deadline, 5xx) until the
 * next answer, and while an IP ban lasts.
 */
export interface RestHealth {
  readonly degraded: boolean;
  /** When the current run of failures started (absent while healthy). */
  readonly failingSince?: number;
  readonly consecutiveFailures: number;
  /** The last failure's message (endpoint included), kept after recovery. */
  readonly lastError?: string;
  /** End of the 418 ban in force. */
  readonly bannedUntil?: number;
  readonly lastSuccessAt?: number;
}

/** Largest page the client asks for; 1000 costs 5 weight where 1500 costs 10. */
const PAGE = 1000;

/** Largest page of `/fapi/v1/fundingRate` (Binance's maximum). */
const FUNDING_PAGE = 1000;

/** One call gives up with reason "rateLimited" after this many 429 pauses in a row. */
const MAX_RATE_LIMIT_WAITS = 20;

/** A 429 or a short 418: retried after the governor's pause, without consuming a backoff attempt. */
class WaitAndRetry extends Error {}

/** The attempt's deadline passed before the whole answer (headers and body) arrived. */
class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`no complete answer within ${ms} ms`);
    this.name = "DeadlineExceeded";
  }
}

interface Cached<A> {
  readonly at: number;
  readonly value: Promise<A>;
}

const retryAfterMs = (response: Response, fallbackSeconds: number): number => {
  const seconds = Number(response.headers.get("retry-after"));
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : fallbackSeconds) * 1000;
};

export class BinanceRest {
  readonly governor: WeightGovernor;
  /** The separate 500-per-5-minutes budget of `/fapi/v1/fundingRate`. */
  readonly fundingGovernor: WeightGovernor;
  private readonly http: KyInstance;
  private readonly clock: GovernorClock;
  private readonly retries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxBanWaitMs: number;
  private readonly exchangeInfoTtlMs: number;
  private readonly tickersTtlMs: number;
  private readonly timeoutMs: number;
  private failure: { since: number; count: number } | undefined;
  private lastError: string | undefined;
  private lastSuccessAt: number | undefined;
  private exchangeInfoCache: Cached<readonly ExchangeSymbol[]> | undefined;
  private tickersCache: Cached<ReadonlyMap<string, TickerStats>> | undefined;
  /** Requests actually sent (for tests and metrics). */
  sent = 0;
  /** Klines rows dropped as impossible since start (for metrics). */
  rejectedCandles = 0;
  private readonly onEvent: (event: RestEvent) => void;

  constructor(config: BinanceRestConfig = {}) {
    this.clock = config.clock ?? systemClock;
    this.onEvent = config.onEvent ?? (() => {});
    this.governor = new WeightGovernor({
      budget: config.weightBudget ?? 1200,
      windowMs: config.weightWindowMs ?? 60_000,
      windowMarginMs: Math.min(250, (config.weightWindowMs ?? 60_000) / 20),
      jitterMs: config.rateLimitJitterMs ?? 1000,
      maxConcurrent: config.maxConcurrent ?? 8,
      clock: this.clock,
      ...(config.random ? { random: config.random } : {}),
      ...(config.onEvent ? { onEvent: config.onEvent } : {}),
    });
    this.fundingGovernor = new WeightGovernor({
      budget: config.fundingRequestBudget ?? 250,
      windowMs: 300_000,
      clock: this.clock,
    });
    this.timeoutMs = config.timeoutMs ?? 10_000;
    this.http = ky.create({
      prefix: config.restUrl ?? DEFAULT_REST_URL,
      // ky's timeout stops at the headers; the attempt's own deadline (`fetchText`) covers the body too.
      timeout: false,
      retry: 0,
      throwHttpErrors: false,
      ...(config.fetch ? { fetch: config.fetch } : {}),
    });
    this.retries = config.retries ?? REST_RETRY.retries;
    this.backoffBaseMs = config.backoffBaseMs ?? REST_RETRY.baseMs;
    this.backoffMaxMs = config.backoffMaxMs ?? REST_RETRY.maxMs;
    this.maxBanWaitMs = config.maxBanWaitMs ?? 60_000;
    this.exchangeInfoTtlMs = config.exchangeInfoTtlMs ?? 3_600_000;
    this.tickersTtlMs = config.tickersTtlMs ?? 300_000;
  }

  /** REST as seen from here: degraded while attempts fail or a ban lasts (see `RestHealth`). */
  health(): RestHealth {
    const bannedUntil = this.governor.banEndsAt();
    return {
      degraded: this.failure !== undefined || bannedUntil !== 0,
      consecutiveFailures: this.failure?.count ?? 0,
      ...(this.failure === undefined ? {} : { failingSince: this.failure.since }),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      ...(bannedUntil === 0 ? {} : { bannedUntil }),
      ...(this.lastSuccessAt === undefined ? {} : { lastSuccessAt: this.lastSuccessAt }),
    };
  }

  /** `GET /fapi/v1/time` (weight 1). */
  serverTime(): Promise<number> {
    return this.get("fapi/v1/time", {}, ENDPOINT_WEIGHT.time, (body, source) =>
      decodeServerTime(body, source),
    ).then((r) => r.value);
  }

  /** `GET /fapi/v2/ticker/price?symbol=` (weight 1): the symbol's last traded price and its time. */
  price(symbol: string): Promise<PriceSample> {
    return this.get("fapi/v2/ticker/price", { symbol }, ENDPOINT_WEIGHT.priceOne, decodePriceTicker).then(
      (r) => r.value,
    );
  }

  /**
   * `GET /fapi/v1/exchangeInfo` (weight 1), cached `exchangeInfoTtlMs`. Its REQUEST_WEIGHT limit caps the
   * governor's budget (see `WeightGovernor.applyExchangeLimit`): call it before heavy work (the live bot does).
   */
  exchangeInfo(): Promise<readonly ExchangeSymbol[]> {
    this.exchangeInfoCache = this.cached(this.exchangeInfoCache, this.exchangeInfoTtlMs, () =>
      this.get("fapi/v1/exchangeInfo", {}, ENDPOINT_WEIGHT.exchangeInfo, (body, source) => {
        const limit = requestWeightLimit(body);
        if (limit !== undefined) this.governor.applyExchangeLimit(limit);
        return decodeExchangeInfo(body, source);
      }).then((r) => r.value),
    );
    return this.exchangeInfoCache.value;
  }

  /**
   * `GET /fapi/v1/ticker/24hr` for all symbols (weight 40): quote volume and 24 h high/low by symbol, cached
   * `tickersTtlMs`.
   */
  tickers(): Promise<ReadonlyMap<string, TickerStats>> {
    this.tickersCache = this.cached(this.tickersCache, this.tickersTtlMs, () =>
      this.get("fapi/v1/ticker/24hr", {}, ENDPOINT_WEIGHT.ticker24hAll, decodeTickers).then((r) => r.value),
    );
    return this.tickersCache.value;
  }

  /** USDT-quoted PERPETUAL contracts with status TRADING, by 24 h quote volume descending, at most `limit`. */
  async universe(limit: number): Promise<readonly UniverseEntry[]> {
    const [symbols, tickers] = await Promise.all([this.exchangeInfo(), this.tickers()]);
    const entries: UniverseEntry[] = [];
    for (const s of symbols) {
      if (
        s.info === undefined ||
        s.status !== "TRADING" ||
        s.contractType !== "PERPETUAL" ||
        s.quoteAsset !== "USDT"
      )
        continue;
      const t = tickers.get(s.symbol);
      entries.push({
        symbol: s.symbol,
        quoteVolume: t?.quoteVolume ?? 0,
        info: s.info,
        baseAsset: s.baseAsset,
        ...(s.listedAt === undefined ? {} : { listedAt: s.listedAt }),
        ...(t === undefined ? {} : { high24h: t.high, low24h: t.low }),
      });
    }
    entries.sort((a, b) => b.quoteVolume - a.quoteVolume || (a.symbol < b.symbol ? -1 : 1));
    return entries.slice(0, limit);
  }

  /**
   * `GET /fapi/v1/klines` once, with Binance's semantics (`limit` ≤ 1500; with `startTime` the first candles
   * from there, otherwise the latest). Only closed candles are returned: a candle whose close time is not
   * before the server's time (`Date` header, else `/fapi/v1/time`) is still forming and is dropped.
   */
  async klines(query: {
    readonly symbol: string;
    readonly timeframe: Timeframe;
    readonly startTime?: number;
    readonly endTime?: number;
    readonly limit: number;
  }): Promise<readonly Candle[]> {
    return (await this.klinesPage(query)).candles;
  }

  /** One klines request: its closed, possible candles and how many rows the exchange sent (for paging). */
  private async klinesPage(query: {
    readonly symbol: string;
    readonly timeframe: Timeframe;
    readonly startTime?: number;
    readonly endTime?: number;
    readonly limit: number;
  }): Promise<{ readonly candles: readonly Candle[]; readonly rows: number }> {
    const params: Record<string, string | number> = {
      symbol: query.symbol,
      interval: query.timeframe,
      limit: query.limit,
    };
    if (query.startTime !== undefined) params.startTime = query.startTime;
    if (query.endTime !== undefined) params.endTime = query.endTime;
    const { value, date } = await this.get(
      "fapi/v1/klines",
      params,
      klinesWeight(query.limit),
      decodeKlineRows,
    );
    if (value.rejected.length > 0) {
      this.rejectedCandles += value.rejected.length;
      this.onEvent({
        _tag: "RejectedCandles",
        symbol: query.symbol,
        timeframe: query.timeframe,
        count: value.rejected.length,
        example: value.rejected[0] ?? "",
      });
    }
    const candles = value.candles;
    const last = candles[candles.length - 1];
    if (last === undefined) return { candles, rows: value.rows };
    // closeTime ends in .999, so a Date header (whole seconds) is exact enough to tell closed from forming.
    const couldBeForming = query.endTime === undefined || query.endTime >= last.openTime;
    if (!couldBeForming) return { candles, rows: value.rows };
    const now = date ?? (await this.serverTime());
    return { candles: last.closeTime < now ? candles : candles.slice(0, -1), rows: value.rows };
  }

  /**
   * Closed candles with open time in [`from`, `to`], paged (1000 per request, or fewer for a small gap to pay
   * the lowest weight). Used by warm-up, by the stream's gap backfill and by `download` (which passes
   * `onPage` to save and report each page as it arrives).
   */
  async klinesRange(
    symbol: string,
    timeframe: Timeframe,
    from: number,
    to: number,
    onPage?: (page: readonly Candle[]) => void | Promise<void>,
  ): Promise<readonly Candle[]> {
    const step = TIMEFRAME_MS[timeframe];
    const out: Candle[] = [];
    let start = from;
    while (start <= to) {
      const wanted = Math.floor((to - start) / step) + 1;
      const page = await this.klinesPage({
        symbol,
        timeframe,
        startTime: start,
        endTime: to,
        limit: cheapestKlinesLimit(Math.min(wanted, PAGE)),
      });
      const fresh = page.candles.filter((c) => c.openTime >= start && c.openTime <= to);
      for (const c of fresh) out.push(c);
      if (onPage !== undefined && fresh.length > 0) await onPage(fresh);
      const last = page.candles[page.candles.length - 1];
      // A short page is the end of the data; rows dropped as impossible do not make it short.
      if (last === undefined || page.rows < Math.min(wanted, PAGE)) break;
      start = last.openTime + step;
    }
    return out;
  }

  /**
   * `GET /fapi/v1/fundingRate` once: the settlements of `symbol` from `startTime` (ascending, at most
   * `limit` ≤ 1000). Counts against the endpoint's own 5-minute budget and 1 request weight.
   */
  async fundingRates(query: {
    readonly symbol: string;
    readonly startTime?: number;
    readonly endTime?: number;
    readonly limit: number;
  }): Promise<readonly FundingSettlement[]> {
    const params: Record<string, string | number> = { symbol: query.symbol, limit: query.limit };
    if (query.startTime !== undefined) params.startTime = query.startTime;
    if (query.endTime !== undefined) params.endTime = query.endTime;
    await this.fundingGovernor.acquire(1);
    return (await this.get("fapi/v1/fundingRate", params, 1, decodeFundingRates)).value;
  }

  /** Settlements with time in [`from`, `to`], paged by 1000; `onPage` sees each page as it arrives. */
  async fundingRatesRange(
    symbol: string,
    from: number,
    to: number,
    onPage?: (page: readonly FundingSettlement[]) => void | Promise<void>,
  ): Promise<readonly FundingSettlement[]> {
    const out: FundingSettlement[] = [];
    let start = from;
    while (start <= to) {
      const page = await this.fundingRates({ symbol, startTime: start, endTime: to, limit: FUNDING_PAGE });
      const fresh = page.filter((s) => s.time >= start && s.time <= to);
      for (const s of fresh) out.push(s);
      if (onPage !== undefined && fresh.length > 0) await onPage(fresh);
      const last = page[page.length - 1];
      if (last === undefined || page.length < FUNDING_PAGE) break;
      start = last.time + 1;
    }
    return out;
  }

  private cached<A>(entry: Cached<A> | undefined, ttl: number, load: () => Promise<A>): Cached<A> {
    const now = this.clock.now();
    if (entry !== undefined && now - entry.at < ttl) return entry;
    const value = load();
    // A failed load is not cached.
    value.catch(() => {
      if (this.exchangeInfoCache?.value === value) this.exchangeInfoCache = undefined;
      if (this.tickersCache?.value === value) this.tickersCache = undefined;
    });
    return { at: now, value };
  }

  /**
   * One HTTP exchange under one deadline for headers and body: at the deadline the request is aborted (the
   * socket closes, the body stops) and `DeadlineExceeded` is thrown.
   */
  private async fetchText(
    path: string,
    params: Record<string, string | number>,
  ): Promise<{ readonly response: Response; readonly text: string }> {
    const abort = new AbortController();
    const finished = new AbortController();
    void this.clock.sleep(this.timeoutMs, finished.signal).then(() => {
      if (!finished.signal.aborted) abort.abort(new DeadlineExceeded(this.timeoutMs));
    });
    try {
      const response = await this.http.get(path, { searchParams: params, signal: abort.signal });
      const text = await response.text();
      return { response, text };
    } catch (cause) {
      throw abort.signal.aborted ? abort.signal.reason : cause;
    } finally {
      finished.abort();
    }
  }

  private failed(message: string): void {
    this.failure ??= { since: this.clock.now(), count: 0 };
    this.failure.count++;
    this.lastError = message;
  }

  private answered(): void {
    this.failure = undefined;
    this.lastSuccessAt = this.clock.now();
  }

  /** One GET with governor, retry policy and decoding; `source` in errors is e.g. "GET /fapi/v1/klines". */
  private get<A>(
    path: string,
    params: Record<string, string | number>,
    weight: number,
    decode: (body: unknown, source: string) => A | MarketDataError,
  ): Promise<{ readonly value: A; readonly date: number | undefined }> {
    const source = `GET /${path}`;
    let waits = 0;
    const attempt = async () => {
      const banEnd = this.governor.banEndsAt();
      if (banEnd !== 0 && banEnd - this.clock.now() > this.maxBanWaitMs) {
        throw new AbortError(
          new MarketDataError({
            reason: "banned",
            source,
            message: "IP banned by Binance (418)",
            retryAt: banEnd,
          }),
        );
      }
      // Admitted = sent now: no pause, ban or full window can start between this and the request going out.
      const admission = await this.governor.admit(weight);
      let response: Response;
      let text: string;
      try {
        this.sent++;
        ({ response, text } = await this.fetchText(path, params));
      } catch (cause) {
        admission.done("failed");
        const message =
          cause instanceof DeadlineExceeded
            ? `request timed out: no complete answer (headers and body) within ${(cause.ms / 1000).toFixed(1)} s`
            : `network error: ${String(cause)}`;
        this.failed(`${source}: ${message}`);
        throw new MarketDataError({ reason: "network", source, message, cause });
      }
      const used = response.headers.get("x-mbx-used-weight-1m");
      if (used !== null) this.governor.observeUsedWeight(Number(used));
      const status = response.status;
      // The pause or ban is in force before the slot is given back, so no queued request slips out meanwhile.
      if (status === 429) this.governor.rateLimited(retryAfterMs(response, 1));
      if (status === 418) this.governor.banned(retryAfterMs(response, 120));
      admission.done(
        status === 429 ? "rateLimited" : status === 418 ? "banned" : status >= 500 ? "failed" : "ok",
      );
      if (status < 500) this.answered();
      if (status === 429) {
        const ms = retryAfterMs(response, 1);
        if (++waits > MAX_RATE_LIMIT_WAITS) {
          throw new AbortError(
            new MarketDataError({
              reason: "rateLimited",
              source,
              message: `still rate limited (429) after ${MAX_RATE_LIMIT_WAITS} pauses`,
              retryAt: this.clock.now() + ms,
            }),
          );
        }
        throw new WaitAndRetry(`${source} 429`);
      }
      if (status === 418) {
        const ms = retryAfterMs(response, 120);
        if (ms > this.maxBanWaitMs) {
          throw new AbortError(
            new MarketDataError({
              reason: "banned",
              source,
              message: `IP banned by Binance (418) for ${Math.round(ms / 1000)} s`,
              retryAt: this.clock.now() + ms,
            }),
          );
        }
        throw new WaitAndRetry(`${source} 418`);
      }
      if (status >= 500) {
        this.failed(`${source}: HTTP ${status}`);
        throw new MarketDataError({
          reason: "network",
          source,
          message: `HTTP ${status}: ${text.slice(0, 200)}`,
        });
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (cause) {
        throw new AbortError(
          new MarketDataError({
            reason: status >= 400 ? "rejected" : "badResponse",
            source,
            message: `HTTP ${status}, body is not JSON: ${text.slice(0, 200)}`,
            cause,
          }),
        );
      }
      if (status >= 400) {
        const b = body as { code?: unknown; msg?: unknown };
        const detail = typeof b.msg === "string" ? `${String(b.code)} ${b.msg}` : text.slice(0, 200);
        throw new AbortError(
          new MarketDataError({
            reason: status === 404 || b.code === -1121 ? "notFound" : "rejected",
            source,
            message: `HTTP ${status}: ${detail}`,
          }),
        );
      }
      const value = decode(body, source);
      if (value instanceof MarketDataError) throw new AbortError(value);
      const dateHeader = response.headers.get("date");
      const date = dateHeader === null ? undefined : Date.parse(dateHeader);
      return { value, date: date !== undefined && Number.isFinite(date) ? date : undefined };
    };
    return pRetry(attempt, {
      // The named REST policy (Schedules.ts), with this client's overrides.
      ...restRetryOptions({ retries: this.retries, baseMs: this.backoffBaseMs, maxMs: this.backoffMaxMs }),
      shouldConsumeRetry: ({ error }) => !(error instanceof WaitAndRetry),
      // A failure that will be retried is told at once (the owner can say "cannot reach the exchange" on the
      // first failure instead of after the last retry). 429/418 waits are the governor's own events.
      onFailedAttempt: ({ error, attemptNumber, retriesLeft, retryDelay }) => {
        if (error instanceof WaitAndRetry || retriesLeft === 0) return;
        this.onEvent({
          _tag: "Retrying",
          source,
          attempt: attemptNumber,
          retriesLeft,
          retryInMs: retryDelay,
          message: error.message,
        });
      },
    }).catch((error: unknown) => {
      if (error instanceof MarketDataError) throw error;
      throw new MarketDataError({ reason: "network", source, message: String(error), cause: error });
    });
  }
}
