/**
 * A loopback Binance USD-M futures exchange (Bun.serve HTTP + WebSocket on 127.0.0.1) speaking the real
 * formats and limits, under a fast-forwardable market clock, with fault injection. Integration tests and
 * benchmarks point `BINANCE_REST_URL` / `BINANCE_WS_URL` at it; `fake-exchange.ts` starts it by hand.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import {
  type Candle,
  type FundingSettlement,
  isTimeframe,
  lowerBound,
  TIMEFRAME_MS,
  type Timeframe,
} from "@signalbot/core";
import type { Server, ServerWebSocket } from "bun";
import { parseFundingCsv } from "../csv/FundingCsv.ts";
import { candleAt, type KlineColumns, parseKlineCsv } from "../csv/KlineCsv.ts";

export interface FakeExchangeOptions {
  /** Default 0 (a free port). */
  readonly port?: number;
  /** Directory of `<SYMBOL>-<interval>.csv.gz` files replayed for the symbols they cover; others are generated. */
  readonly dataDir?: string;
  /**
   * Shift added to every open/close time of the data files (a whole number of days, so 4h and 1d stay aligned
   * to UTC midnight). Lets a soak replay real 2025 candles "now", where a bot on the wall clock analyses them.
   */
  readonly dataShiftMs?: number;
  /** Symbols listed in exchangeInfo/tickers beyond the data files (generated, e.g. "GEN001USDT"). Default 300. */
  readonly generatedSymbols?: number;
  /**
   * Symbols listed with a price pegged to 1 USDT (within ±0.05 %, like USDCUSDT), generated and ranked among the
   * busiest contracts as Binance ranks its stablecoin perpetuals. Default none.
   */
  readonly peggedSymbols?: readonly string[];
  /** Market clock start (ms UTC). Default 2025-06-01T00:00:00Z (inside the fixture data). */
  readonly startTime?: number;
  /** Forming-candle push cadence in market time. Default 250 ms like Binance; tests use minutes. */
  readonly updateIntervalMs?: number;
  /** Request weight per window before 429 (Binance: 2400). */
  readonly weightLimit?: number;
  /** Weight window length in real time (Binance: 60 000). */
  readonly weightWindowMs?: number;
  /** Requests tolerated during a 429 back-off before the IP is banned with 418. Default 5. */
  readonly banAfterViolations?: number;
  /** Requests arriving this soon after a 429 were in flight already and are not held against the client. Default 100 ms. */
  readonly inFlightGraceMs?: number;
  /** Length of an automatic ban. Default 120 000 ms (Binance starts at 2 minutes). */
  readonly banMs?: number;
  /** Incoming WebSocket messages per second per connection before it is closed (Binance: 10). */
  readonly maxIncomingPerSecond?: number;
  /** Streams per connection (Binance: 1024). */
  readonly maxStreamsPerConnection?: number;
  /** Real clock for rate limits and bans. Default `Date.now`. */
  readonly realClock?: () => number;
  /** Told of every REST answer as it is decided (path and status), e.g. to build a timeline in a test. */
  readonly onRest?: (answer: { readonly path: string; readonly status: number }) => void;
}

/** Ways a candle can be impossible (a corrupt feed): what the fake sends on request. */
export type ImpossibleKind = "negative" | "zero" | "huge" | "highBelowLow";

/** The wire fields o/h/l/c of `c` made impossible in the way `kind` says. */
const impossible = (c: Candle, kind: ImpossibleKind): [string, string, string, string] => {
  switch (kind) {
    case "negative":
      return [fmt(c.open), fmt(c.high), fmt(-c.low), fmt(c.close)];
    case "zero":
      return [fmt(c.open), fmt(c.high), "0", fmt(c.close)];
    case "huge":
      return [fmt(c.open), "1e300", fmt(c.low), fmt(c.close)];
    case "highBelowLow":
      return [fmt(c.open), fmt(c.low), fmt(c.high), fmt(c.close)];
  }
};

/** Counters tests assert on. */
export interface FakeExchangeStats {
  requests: number;
  weight: number;
  rateLimited429: number;
  banned418: number;
  serverErrors: number;
  requestsDuringBan: number;
  /**
   * Requests that arrived during a 429 back-off later than `inFlightGraceMs` after it started: sent by a client
   * that did not wait for Retry-After (Binance holds these against the IP and bans after a few).
   */
  requestsDuringBackoff: number;
  /** Answers served by `slowBodyNext` and requests held by `hangNext`. */
  slowBodies: number;
  hung: number;
  byPath: Record<string, number>;
  wsConnections: number;
  wsIncoming: number;
  wsClosedForRate: number;
  pongs: number;
  framesSent: number;
  /**
   * Bytes the exchange sent, by what carried them: REST response bodies (all statuses, by path) and WebSocket
   * frames (klines and subscription replies). HTTP headers and TLS are not included (see `restAnswers` to
   * estimate them: one header block per answer).
   */
  restBodyBytes: number;
  restBodyBytesByPath: Record<string, number>;
  /** REST answers sent (each also carries a header block the body counts leave out). */
  restAnswers: number;
  wsBytes: number;
  /** Frames dropped because a connection's send buffer was full (never counted in `framesSent`/`wsBytes`). */
  wsDropped: number;
}

interface Conn {
  readonly id: number;
  readonly streams: Set<string>;
  stalled: boolean;
  incoming: number[];
}

interface Series {
  readonly symbol: string;
  readonly columns: KlineColumns | undefined;
  readonly seed: number;
  readonly base: number;
  /** Relative size of the generated moves: 1 for a coin, ~1/200 for a pegged contract. */
  readonly swing: number;
}

const DEFAULT_START = Date.UTC(2025, 5, 1);
/** Generated symbols trade from here on. */
const LISTED_AT = Date.UTC(2020, 0, 1);

const hash = (s: string): number => {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
};
const unit = (seed: number, k: number): number => {
  let x = (seed ^ Math.imul(k | 0, 0x9e3779b1) ^ Math.floor(k / 4294967296)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
};

interface RealFilters {
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly minNotional: string;
}

/**
 * The real exchange filters of the fixture symbols (fixtures/api-samples/usdm-symbol-filters.json, with its
 * provenance): a fixture symbol is listed with Binance's own tick, lot step and minimum notional.
 */
const REAL_FILTERS: Readonly<Record<string, RealFilters>> = (
  JSON.parse(
    readFileSync(
      new URL("../../../../fixtures/api-samples/usdm-symbol-filters.json", import.meta.url),
      "utf8",
    ),
  ) as { readonly symbols: Record<string, RealFilters> }
).symbols;

const decimalsOf = (step: string): number => (step.includes(".") ? step.split(".")[1]!.length : 0);

/** Prices cross the wire as decimal strings; closed candles are exact, forming ones rounded like a ticker. */
const fmt = (n: number): string => String(Number(n.toPrecision(12)));

export class FakeExchange {
  readonly stats: FakeExchangeStats = {
    requests: 0,
    weight: 0,
    rateLimited429: 0,
    banned418: 0,
    serverErrors: 0,
    requestsDuringBan: 0,
    requestsDuringBackoff: 0,
    slowBodies: 0,
    hung: 0,
    byPath: {},
    wsConnections: 0,
    wsIncoming: 0,
    wsClosedForRate: 0,
    pongs: 0,
    framesSent: 0,
    restBodyBytes: 0,
    restBodyBytesByPath: {},
    restAnswers: 0,
    wsBytes: 0,
    wsDropped: 0,
  };
  private readonly opts: Required<
    Omit<FakeExchangeOptions, "dataDir" | "port" | "dataShiftMs" | "onRest" | "peggedSymbols">
  > & {
    dataDir: string | undefined;
  };
  private readonly onRest: FakeExchangeOptions["onRest"];
  private server: Server<Conn> | undefined;
  private readonly sockets = new Set<ServerWebSocket<Conn>>();
  private readonly series = new Map<string, Series>();
  private readonly symbols: string[] = [];
  private readonly dataSymbols = new Set<string>();
  private readonly peggedSymbols: ReadonlySet<string>;
  private readonly dataShiftMs: number;
  private marketNow: number;
  private nextConnId = 1;
  private windowStart = 0;
  private windowUsed = 0;
  private backoffUntil = 0;
  private backoffSince = 0;
  private violations = 0;
  private bannedUntil = 0;
  private fail5xx: { count: number; status: number } = { count: 0, status: 503 };
  private storm = { count: 0, retryAfterSec: 1 };
  private closedDelayMs = 0;
  private restCandleDelayMs = 0;
  /** The forming-update cadence now (`updateIntervalMs`, changed by `pushEvery`). */
  private updateIntervalMs: number;
  private pending: { sendAt: number; stream: string; frame: string }[] = [];
  private slowBodies = { count: 0, totalMs: Number.POSITIVE_INFINITY };
  private hangs = 0;
  /** Candles the exchange does not have (`removeCandle`): "SYMBOL|tf|openTime". */
  private readonly holes = new Set<string>();
  private corruptKlines: { count: number; kind: ImpossibleKind } = { count: 0, kind: "zero" };
  /** Answers held back by `hangNext` (released with a 503 by `stop`) and drip timers of slow bodies. */
  private readonly held = new Set<() => void>();
  private readonly requestWaiters: { n: number; resolve: () => void }[] = [];
  private waiters: { readonly condition: () => boolean; readonly resolve: () => void }[] = [];
  /** The path of the REST request being answered (its body bytes are counted under it). */
  private answering = "";

  constructor(options: FakeExchangeOptions = {}) {
    const shift = options.dataShiftMs ?? 0;
    if (shift % 86_400_000 !== 0)
      throw new RangeError(`dataShiftMs must be a whole number of days, got ${shift}`);
    this.dataShiftMs = shift;
    this.opts = {
      dataDir: options.dataDir,
      generatedSymbols: options.generatedSymbols ?? 300,
      startTime: options.startTime ?? DEFAULT_START,
      updateIntervalMs: options.updateIntervalMs ?? 250,
      weightLimit: options.weightLimit ?? 2400,
      weightWindowMs: options.weightWindowMs ?? 60_000,
      banAfterViolations: options.banAfterViolations ?? 5,
      banMs: options.banMs ?? 120_000,
      inFlightGraceMs: options.inFlightGraceMs ?? 100,
      maxIncomingPerSecond: options.maxIncomingPerSecond ?? 10,
      maxStreamsPerConnection: options.maxStreamsPerConnection ?? 1024,
      realClock: options.realClock ?? Date.now,
    };
    this.onRest = options.onRest;
    this.peggedSymbols = new Set(options.peggedSymbols ?? []);
    this.updateIntervalMs = this.opts.updateIntervalMs;
    this.marketNow = this.opts.startTime;
    if (this.opts.dataDir !== undefined) {
      const glob = new Bun.Glob("*-30m.csv*");
      for (const file of glob.scanSync(this.opts.dataDir)) this.dataSymbols.add(file.split("-")[0] ?? "");
    }
    this.symbols.push(...[...this.dataSymbols].sort(), ...[...this.peggedSymbols].sort());
    for (let i = 1; i <= this.opts.generatedSymbols; i++)
      this.symbols.push(`GEN${String(i).padStart(3, "0")}USDT`);
    this.start(options.port ?? 0);
  }

  /** `http://127.0.0.1:PORT`: the `BINANCE_REST_URL` to use. */
  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  /** `ws://127.0.0.1:PORT/market`: the `BINANCE_WS_URL` to use. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/market`;
  }
  get port(): number {
    return this.server?.port ?? 0;
  }
  /** Current market time (ms UTC). */
  now(): number {
    return this.marketNow;
  }
  /** Every tradable USDT perpetual listed, data-file symbols first. */
  listedSymbols(): readonly string[] {
    return this.symbols;
  }
  /** Open WebSocket connections with their streams. */
  connections(): readonly { readonly id: number; readonly streams: readonly string[] }[] {
    return [...this.sockets].map((ws) => ({ id: ws.data.id, streams: [...ws.data.streams] }));
  }

  /** The exchange's truth: closed candles with open time in [from, to] (what a complete client must see). */
  closedCandles(symbol: string, timeframe: Timeframe, from: number, to: number): Candle[] {
    const out: Candle[] = [];
    for (const c of this.range(symbol, timeframe, from, to)) if (c.closeTime < this.marketNow) out.push(c);
    return out;
  }

  /**
   * Moves the market clock forward by `ms`, pushing a forming update every `updateIntervalMs` and the closed
   * candle at each close, on every subscribed stream that is not stalled.
   */
  advance(ms: number): void {
    const end = this.marketNow + ms;
    const step = this.updateIntervalMs;
    while (this.marketNow < end) {
      const from = this.marketNow;
      const next = Math.min(end, Math.floor(from / step) * step + step);
      this.marketNow = next;
      const streams = this.subscribedStreams();
      for (const stream of streams) this.pushKline(stream, from, next);
      this.flushPending(next);
    }
  }

  /** From now on a forming update every `ms` of market time (e.g. none between closes, then Binance's 250 ms). */
  pushEvery(ms: number): void {
    this.updateIntervalMs = ms;
  }

  /**
   * Resolves once `condition` holds, checked whenever a WebSocket client connects, disconnects, sends a
   * message or answers a ping: a test waits for the exchange's view of its clients without polling.
   */
  when(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ condition, resolve });
      this.wakeWaiters();
    });
  }

  /** Resolves once every one of `streams` (e.g. "btcusdt@kline_30m") is subscribed on an open connection. */
  streamsReady(streams: readonly string[]): Promise<void> {
    return this.when(() => {
      const open = this.subscribedStreams();
      return streams.every((s) => open.has(s));
    });
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.condition());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** Bytes sent on the WebSocket connections that the sockets have not taken yet (a client reading slowly). */
  bufferedBytes(): number {
    let n = 0;
    for (const ws of this.sockets) n += ws.getBufferedAmount();
    return n;
  }

  /** Fault: closes every WebSocket connection abruptly. */
  dropConnections(): void {
    for (const ws of this.sockets) ws.terminate();
  }
  /** Fault: current connections stay open but receive nothing more (how the retired endpoints fail). */
  stallConnections(): void {
    for (const ws of this.sockets) ws.data.stalled = true;
  }
  /** Fault: sends `count` malformed frames on every connection. */
  sendMalformed(count = 1): void {
    const junk = [
      "{not json",
      '{"stream":"x@kline_30m","data":{"e":"kline","k":{"t":"soon"}}}',
      "[]",
      '"hello"',
    ];
    for (let i = 0; i < count; i++) for (const ws of this.sockets) this.send(ws, junk[i % junk.length] ?? "");
  }
  /** Fault: the next `count` REST requests fail with `status` (default 503). */
  failNext(count: number, status = 503): void {
    this.fail5xx = { count, status };
  }
  /** Fault: the next `count` REST requests get 429 with `Retry-After: retryAfterSec`. */
  rateLimitStorm(count: number, retryAfterSec = 1): void {
    this.storm = { count, retryAfterSec };
  }
  /**
   * Fault: the next `count` successful REST answers send their headers at once and then the body slowly, over
   * `totalMs` of real time (default: the body never finishes). What a congested proxy or a stuck server does.
   */
  slowBodyNext(count: number, totalMs = Number.POSITIVE_INFINITY): void {
    this.slowBodies = { count, totalMs };
  }
  /** Fault: the next `count` REST requests are received (and counted) but never answered, not even headers. */
  hangNext(count: number): void {
    this.hangs = count;
  }
  /**
   * Fault: the exchange has no candle at `openTime` (a hole in its data, as after an exchange incident): not
   * pushed on the stream, not in REST answers, not in `closedCandles`.
   */
  removeCandle(symbol: string, timeframe: Timeframe, openTime: number): void {
    this.holes.add(`${symbol}|${timeframe}|${openTime}`);
  }
  /** Fault: the next `count` klines answers carry one impossible candle (their middle row), made so by `kind`. */
  corruptNextKlines(count: number, kind: ImpossibleKind): void {
    this.corruptKlines = { count, kind };
  }
  /** Fault: sends one impossible forming candle (made so by `kind`) on every subscribed stream. */
  sendImpossible(kind: ImpossibleKind): void {
    for (const stream of this.subscribedStreams()) {
      const symbol = stream.split("@")[0]?.toUpperCase() ?? "";
      const s = this.seriesOf(symbol, "30m");
      const open = Math.floor((this.marketNow - 1) / 1_800_000) * 1_800_000;
      const c = s === undefined ? undefined : this.candle(s, "30m", open);
      if (c === undefined) continue;
      const frame = JSON.parse(
        this.frame(stream, symbol, "30m", this.asOf(c, this.marketNow), false, this.marketNow),
      );
      [frame.data.k.o, frame.data.k.h, frame.data.k.l, frame.data.k.c] = impossible(c, kind);
      this.broadcast(stream, JSON.stringify(frame));
    }
  }
  /** Resolves once the fake has received `n` REST requests in all (hung ones included). */
  whenRequests(n: number): Promise<void> {
    if (this.stats.requests >= n) return Promise.resolve();
    return new Promise((resolve) => this.requestWaiters.push({ n, resolve }));
  }
  /** Fault: bans the IP (418) for `ms` of real time. */
  ban(ms: number): void {
    this.bannedUntil = this.opts.realClock() + ms;
  }
  /**
   * Fault: REST klines answers leave out candles closed less than `ms` of market time ago (the exchange has not
   * published them yet), and the candle forming then too. The stream is not affected.
   */
  delayRestCandles(ms: number): void {
    this.restCandleDelayMs = ms;
  }
  /** Fault: closed-candle messages arrive `ms` of market time after the close (forming updates go first). */
  delayClosedCandles(ms: number): void {
    this.closedDelayMs = ms;
  }
  /** Sends a WebSocket ping to every connection (pongs are counted in `stats.pongs`). */
  ping(): void {
    for (const ws of this.sockets) ws.ping();
  }

  stop(): void {
    for (const release of [...this.held]) release();
    this.server?.stop(true);
    this.server = undefined;
  }

  // ---- market data ----

  private seriesOf(symbol: string, timeframe: Timeframe): Series | undefined {
    const key = `${symbol}-${timeframe}`;
    const known = this.series.get(key);
    if (known !== undefined) return known;
    if (!this.symbols.includes(symbol)) return undefined;
    let columns: KlineColumns | undefined;
    if (this.dataSymbols.has(symbol) && this.opts.dataDir !== undefined) {
      for (const name of [`${key}.csv.gz`, `${key}.csv`]) {
        const file = `${this.opts.dataDir}/${name}`;
        try {
          const raw = new Uint8Array(readFileSync(file));
          const bytes = name.endsWith(".gz") ? new Uint8Array(gunzipSync(raw)) : raw;
          const parsed = parseKlineCsv(bytes, file, timeframe);
          if (parsed._tag === "Parsed") {
            columns = parsed.columns;
            if (this.dataShiftMs !== 0)
              for (let i = 0; i < columns.length; i++) {
                columns.openTime[i]! += this.dataShiftMs;
                columns.closeTime[i]! += this.dataShiftMs;
              }
          }
          break;
        } catch {}
      }
    }
    const seed = hash(symbol);
    const pegged = this.peggedSymbols.has(symbol);
    const made: Series = {
      symbol,
      columns,
      seed,
      base: pegged ? 1 : 0.05 + (seed % 100_000) / 100,
      swing: pegged ? 0.005 : 1,
    };
    this.series.set(key, made);
    return made;
  }

  private isHole(s: Series, timeframe: Timeframe, openTime: number): boolean {
    return this.holes.size > 0 && this.holes.has(`${s.symbol}|${timeframe}|${openTime}`);
  }

  /** The candle opening at `openTime` (undefined where the data has a gap or before listing). */
  private candle(s: Series, timeframe: Timeframe, openTime: number): Candle | undefined {
    if (this.isHole(s, timeframe, openTime)) return undefined;
    const step = TIMEFRAME_MS[timeframe];
    if (s.columns !== undefined) {
      const i = lowerBound(s.columns.openTime, openTime);
      return s.columns.openTime[i] === openTime ? candleAt(s.columns, i) : undefined;
    }
    if (openTime < LISTED_AT) return undefined;
    const k = openTime / step;
    const price = (x: number) =>
      s.base * Math.exp(s.swing * (0.08 * Math.sin(x / 40) + 0.03 * Math.sin(x / 6.1 + (s.seed % 7))));
    // Rounded to what the wire carries, so the truth and what a client parses are the same numbers.
    const round = (x: number, decimals: number) => Math.round(x * 10 ** decimals) / 10 ** decimals;
    const open = round(price(k), 5);
    const close = round(price(k + 1), 5);
    return {
      openTime,
      open,
      high: round(Math.max(open, close) * (1 + s.swing * 0.004 * unit(s.seed, k)), 5),
      low: round(Math.min(open, close) * (1 - s.swing * 0.004 * unit(s.seed + 1, k)), 5),
      close,
      volume: round(1000 + 9000 * unit(s.seed + 2, k), 3),
      closeTime: openTime + step - 1,
    };
  }

  /** Candles (any state) with open time in [from, to] and not after the market clock. */
  private *range(symbol: string, timeframe: Timeframe, from: number, to: number): Generator<Candle> {
    const s = this.seriesOf(symbol, timeframe);
    if (s === undefined) return;
    const step = TIMEFRAME_MS[timeframe];
    const last = Math.min(to, this.marketNow - 1);
    if (s.columns !== undefined) {
      for (let i = lowerBound(s.columns.openTime, from); i < s.columns.length; i++) {
        if (s.columns.openTime[i]! > last) return;
        if (!this.isHole(s, timeframe, s.columns.openTime[i]!)) yield candleAt(s.columns, i);
      }
      return;
    }
    for (let t = Math.ceil(Math.max(from, LISTED_AT) / step) * step; t <= last; t += step) {
      const c = this.candle(s, timeframe, t);
      if (c !== undefined) yield c;
    }
  }

  /** The last `limit` candles with open time ≤ `upTo` (Binance's answer without `startTime`). */
  private latest(symbol: string, timeframe: Timeframe, upTo: number, limit: number): Candle[] {
    const s = this.seriesOf(symbol, timeframe);
    if (s === undefined) return [];
    if (s.columns !== undefined) {
      const end = lowerBound(s.columns.openTime, upTo + 1);
      const out: Candle[] = [];
      for (let i = Math.max(0, end - limit); i < end; i++)
        if (!this.isHole(s, timeframe, s.columns.openTime[i]!)) out.push(candleAt(s.columns, i));
      return out;
    }
    const step = TIMEFRAME_MS[timeframe];
    return [...this.range(symbol, timeframe, upTo - limit * step, upTo)].slice(-limit);
  }

  /** A candle as seen at `at`: the full candle once closed, else a partial one (cumulative high/low/volume). */
  private asOf(c: Candle, at: number): Candle {
    if (at > c.closeTime) return c;
    const p = Math.max(0, Math.min(1, (at - c.openTime) / (c.closeTime + 1 - c.openTime)));
    const close = c.open + (c.close - c.open) * p;
    return {
      ...c,
      close,
      high: Math.max(c.open, close, c.high * p + Math.max(c.open, close) * (1 - p)),
      low: Math.min(c.open, close, c.low * p + Math.min(c.open, close) * (1 - p)),
      volume: c.volume * p,
    };
  }

  // ---- REST ----

  private restWeight(path: string, params: URLSearchParams): number {
    if (path === "/fapi/v1/klines") {
      const limit = Number(params.get("limit") ?? 500);
      return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
    }
    if (path === "/fapi/v1/ticker/24hr") return params.has("symbol") ? 1 : 40;
    if (path === "/fapi/v2/ticker/price") return params.has("symbol") ? 1 : 2;
    return 1;
  }

  private json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
    return this.text(JSON.stringify(body), status, {
      "content-type": "application/json",
      "x-mbx-used-weight-1m": String(this.windowUsed),
      date: new Date(this.marketNow).toUTCString(),
      ...headers,
    });
  }

  /** A REST answer whose body is counted in `stats.restBodyBytes` (under the path being answered). */
  private text(body: string, status: number, headers: Record<string, string> = {}): Response {
    const bytes = Buffer.byteLength(body);
    this.stats.restBodyBytes += bytes;
    this.stats.restAnswers++;
    const path = this.answering;
    this.stats.restBodyBytesByPath[path] = (this.stats.restBodyBytesByPath[path] ?? 0) + bytes;
    return new Response(body, { status, headers });
  }

  /** A REST answer with the slow-body and hang faults applied on top of what the exchange decided. */
  private restAnswer(url: URL): Response | Promise<Response> {
    const response = this.handleRest(url);
    this.onRest?.({ path: url.pathname, status: response.status });
    for (const w of this.requestWaiters.filter((w) => this.stats.requests >= w.n)) {
      this.requestWaiters.splice(this.requestWaiters.indexOf(w), 1);
      w.resolve();
    }
    if (this.hangs > 0) {
      this.hangs--;
      this.stats.hung++;
      return new Promise<Response>((resolve) => {
        const release = () => {
          this.held.delete(release);
          resolve(new Response("stopped", { status: 503 }));
        };
        this.held.add(release);
      });
    }
    if (this.slowBodies.count > 0 && response.status === 200) {
      this.slowBodies.count--;
      this.stats.slowBodies++;
      return this.slowly(response, this.slowBodies.totalMs);
    }
    return response;
  }

  /** The same answer with its body in 10 drips over `totalMs` (the first at once; never done when infinite). */
  private async slowly(response: Response, totalMs: number): Promise<Response> {
    const bytes = new Uint8Array(await response.arrayBuffer());
    const drips = 10;
    const size = Math.ceil(bytes.length / drips);
    let sent = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const held = this.held;
    let release = () => {};
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        const drip = () => {
          controller.enqueue(bytes.subarray(sent, sent + size));
          sent += size;
          if (sent >= bytes.length) {
            held.delete(release);
            controller.close();
          } else if (Number.isFinite(totalMs)) timer = setTimeout(drip, totalMs / drips);
        };
        release = () => {
          clearTimeout(timer);
          held.delete(release);
          try {
            controller.close();
          } catch {}
        };
        held.add(release);
        drip();
      },
      cancel: () => release(),
    });
    return new Response(body, { status: response.status, headers: response.headers });
  }

  private handleRest(url: URL): Response {
    const now = this.opts.realClock();
    const path = url.pathname;
    this.answering = path;
    this.stats.requests++;
    this.stats.byPath[path] = (this.stats.byPath[path] ?? 0) + 1;
    if (now < this.bannedUntil) {
      this.stats.requestsDuringBan++;
      this.stats.banned418++;
      const seconds = Math.ceil((this.bannedUntil - now) / 1000);
      return this.json(
        { code: -1003, msg: `Way too many requests; IP banned until ${this.bannedUntil}.` },
        418,
        {
          "retry-after": String(seconds),
        },
      );
    }
    if (now < this.backoffUntil && now > this.backoffSince + this.opts.inFlightGraceMs) {
      this.stats.requestsDuringBackoff++;
      this.violations++;
      if (this.violations > this.opts.banAfterViolations) {
        this.bannedUntil = now + this.opts.banMs;
        this.violations = 0;
        this.stats.banned418++;
        return this.json({ code: -1003, msg: "Way too many requests; IP banned." }, 418, {
          "retry-after": String(Math.ceil(this.opts.banMs / 1000)),
        });
      }
    }
    const windowStart = Math.floor(now / this.opts.weightWindowMs) * this.opts.weightWindowMs;
    if (windowStart !== this.windowStart) {
      this.windowStart = windowStart;
      this.windowUsed = 0;
    }
    const weight = this.restWeight(path, url.searchParams);
    const tooMany = (retryAfterSec: number) => {
      this.stats.rateLimited429++;
      if (now >= this.backoffUntil) this.backoffSince = now;
      this.backoffUntil = Math.max(this.backoffUntil, now + retryAfterSec * 1000);
      return this.json(
        { code: -1003, msg: "Too many requests; please use the websocket for live updates." },
        429,
        {
          "retry-after": String(retryAfterSec),
        },
      );
    };
    if (this.storm.count > 0) {
      this.storm.count--;
      return tooMany(this.storm.retryAfterSec);
    }
    if (this.windowUsed + weight > this.opts.weightLimit) {
      return tooMany(Math.max(1, Math.ceil((windowStart + this.opts.weightWindowMs - now) / 1000)));
    }
    this.windowUsed += weight;
    this.stats.weight += weight;
    if (this.fail5xx.count > 0) {
      this.fail5xx.count--;
      this.stats.serverErrors++;
      return this.text("<html>Service Unavailable</html>", this.fail5xx.status);
    }
    switch (path) {
      case "/fapi/v1/time":
        return this.json({ serverTime: this.marketNow }, 200);
      case "/fapi/v1/exchangeInfo":
        return this.json(this.exchangeInfo(), 200);
      case "/fapi/v1/ticker/24hr":
        return this.tickers(url.searchParams);
      case "/fapi/v1/klines":
        return this.klines(url.searchParams);
      case "/fapi/v2/ticker/price":
        return this.prices(url.searchParams);
      case "/fapi/v1/fundingRate":
        return this.fundingRate(url.searchParams);
      default:
        return this.json({ code: -5000, msg: "Path not found" }, 404);
    }
  }

  private symbolEntry(symbol: string, status: string, contractType: string, quoteAsset: string) {
    const seed = hash(symbol);
    const real = this.dataSymbols.has(symbol) ? REAL_FILTERS[symbol] : undefined;
    const tick = real?.tickSize ?? (seed % 2 === 0 ? "0.0001" : "0.001");
    const step = real?.stepSize ?? (seed % 3 === 0 ? "1" : "0.001");
    const minQty = real?.minQty ?? "0.001";
    return {
      symbol,
      pair: symbol.split("_")[0],
      contractType,
      deliveryDate: 4133404800000,
      onboardDate: LISTED_AT,
      status,
      maintMarginPercent: "2.5000",
      requiredMarginPercent: "5.0000",
      baseAsset: symbol.replace(/USD[TC](_\d+)?$/, ""),
      quoteAsset,
      marginAsset: quoteAsset,
      pricePrecision: real === undefined ? 4 : decimalsOf(tick),
      quantityPrecision: real === undefined ? 3 : decimalsOf(step),
      baseAssetPrecision: 8,
      quotePrecision: 8,
      underlyingType: "COIN",
      underlyingSubType: [],
      triggerProtect: "0.0500",
      liquidationFee: "0.012500",
      marketTakeBound: "0.05",
      maxMoveOrderLimit: 10000,
      filters: [
        {
          filterType: "PRICE_FILTER",
          minPrice: real === undefined ? "0.0001" : tick,
          maxPrice: "4529764",
          tickSize: tick,
        },
        { filterType: "LOT_SIZE", minQty, stepSize: step, maxQty: "1000" },
        { stepSize: step, filterType: "MARKET_LOT_SIZE", minQty, maxQty: "120" },
        { limit: 200, filterType: "MAX_NUM_ORDERS" },
        { filterType: "MIN_NOTIONAL", notional: real?.minNotional ?? (seed % 2 === 0 ? "5" : "50") },
        {
          multiplierUp: "1.0500",
          multiplierDecimal: "4",
          filterType: "PERCENT_PRICE",
          multiplierDown: "0.9500",
        },
      ],
      orderTypes: ["LIMIT", "MARKET"],
      timeInForce: ["GTC", "IOC", "FOK", "GTX", "GTD"],
      permissionSets: ["GRID", "COPY"],
    };
  }

  private exchangeInfo() {
    return {
      timezone: "UTC",
      serverTime: this.marketNow,
      futuresType: "U_MARGINED",
      rateLimits: [
        { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: this.opts.weightLimit },
        { rateLimitType: "ORDERS", interval: "MINUTE", intervalNum: 1, limit: 1200 },
      ],
      exchangeFilters: [],
      assets: [{ asset: "USDT", marginAvailable: true, autoAssetExchange: "-10000" }],
      symbols: [
        ...this.symbols.map((s) => this.symbolEntry(s, "TRADING", "PERPETUAL", "USDT")),
        // Listed but outside the universe: a quarterly, a USDC-quoted and a settling contract.
        this.symbolEntry("BTCUSDT_260925", "TRADING", "CURRENT_QUARTER", "USDT"),
        this.symbolEntry("BTCUSDC", "TRADING", "PERPETUAL", "USDC"),
        this.symbolEntry("OLDUSDT", "SETTLING", "PERPETUAL", "USDT"),
      ],
    };
  }

  /** 24 h quote volume: pegged symbols rank first (as USDCUSDT does), then data-file symbols, then generated ones. */
  private quoteVolume(symbol: string): number {
    const seed = hash(symbol);
    if (this.peggedSymbols.has(symbol)) return 2e10 + (seed % 1e9);
    return this.dataSymbols.has(symbol) ? 1e10 + (seed % 1e9) : 1e6 + (seed % 1e9);
  }

  /**
   * The 24 h high and low: of the closed 30m candles of the last 24 h for data-file and pegged symbols (what
   * universe screening reads), a fixed ±3 % around the price for the other generated ones.
   */
  private dayRange(symbol: string, price: number): { readonly high: number; readonly low: number } {
    if (this.dataSymbols.has(symbol) || this.peggedSymbols.has(symbol)) {
      const day = this.closedCandles(symbol, "30m", this.marketNow - 86_400_000, this.marketNow);
      if (day.length > 0)
        return { high: Math.max(...day.map((c) => c.high)), low: Math.min(...day.map((c) => c.low)) };
    }
    return { high: price * 1.03, low: price * 0.97 };
  }

  private tickerOf(symbol: string) {
    const last = this.seriesOf(symbol, "30m");
    const c =
      last === undefined
        ? undefined
        : this.candle(last, "30m", Math.floor((this.marketNow - 1) / 1_800_000) * 1_800_000);
    const price = c?.close ?? 1;
    const qv = this.quoteVolume(symbol);
    const range = this.dayRange(symbol, price);
    return {
      closeTime: this.marketNow - 1,
      count: 1000 + (hash(symbol) % 100_000),
      firstId: 1,
      highPrice: fmt(range.high),
      lastId: 2,
      lastPrice: fmt(price),
      lastQty: "0.002",
      lowPrice: fmt(range.low),
      openPrice: fmt(price * 1.01),
      openTime: this.marketNow - 86_400_000,
      priceChange: fmt(price * -0.01),
      priceChangePercent: "-1.000",
      quoteVolume: qv.toFixed(2),
      symbol,
      volume: (qv / price).toFixed(3),
      weightedAvgPrice: fmt(price),
    };
  }

  private tickers(params: URLSearchParams): Response {
    const symbol = params.get("symbol");
    if (symbol !== null) {
      if (!this.symbols.includes(symbol)) return this.json({ code: -1121, msg: "Invalid symbol." }, 400);
      return this.json(this.tickerOf(symbol), 200);
    }
    return this.json(
      this.symbols.map((s) => this.tickerOf(s)),
      200,
    );
  }

  /** The last price of `symbol` now: the close of its 30m candle as formed so far. */
  private priceOf(symbol: string) {
    const s = this.seriesOf(symbol, "30m");
    const open = Math.floor((this.marketNow - 1) / 1_800_000) * 1_800_000;
    const c = s === undefined ? undefined : this.candle(s, "30m", open);
    return {
      symbol,
      price: fmt(c === undefined ? 1 : this.asOf(c, this.marketNow).close),
      time: this.marketNow,
    };
  }

  /** `GET /fapi/v2/ticker/price`: one symbol's last price, or every symbol's. */
  private prices(params: URLSearchParams): Response {
    const symbol = params.get("symbol");
    if (symbol === null)
      return this.json(
        this.symbols.map((s) => this.priceOf(s)),
        200,
      );
    if (!this.symbols.includes(symbol)) return this.json({ code: -1121, msg: "Invalid symbol." }, 400);
    return this.json(this.priceOf(symbol), 200);
  }

  private klines(params: URLSearchParams): Response {
    const symbol = params.get("symbol") ?? "";
    const interval = params.get("interval") ?? "";
    const limit = Number(params.get("limit") ?? 500);
    if (!isTimeframe(interval)) return this.json({ code: -1120, msg: "Invalid interval." }, 400);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1500)
      return this.json({ code: -1130, msg: "Data sent for parameter 'limit' is not valid." }, 400);
    if (!this.symbols.includes(symbol)) return this.json({ code: -1121, msg: "Invalid symbol." }, 400);
    const start = params.get("startTime");
    const end = params.get("endTime");
    const to = end === null ? Number.MAX_SAFE_INTEGER : Number(end);
    let rows: Candle[];
    if (start !== null) {
      rows = [];
      for (const c of this.range(symbol, interval, Number(start), to)) {
        rows.push(c);
        if (rows.length === limit) break;
      }
    } else {
      rows = this.latest(symbol, interval, Math.min(to, this.marketNow - 1), limit);
    }
    if (this.restCandleDelayMs > 0) {
      const published = this.marketNow - this.restCandleDelayMs;
      rows = rows.filter((c) => c.closeTime < published);
    }
    const corrupt = this.corruptKlines.count > 0 && rows.length > 0 ? Math.floor(rows.length / 2) : -1;
    if (corrupt >= 0) this.corruptKlines.count--;
    return this.json(
      rows.map((c, i) => {
        // As of now: a candle whose close time has passed is final (`closedCandles` agrees), even when the
        // request lands exactly on its close.
        const v = this.asOf(c, this.marketNow);
        const [o, h, l, cl] =
          i === corrupt
            ? impossible(v, this.corruptKlines.kind)
            : [fmt(v.open), fmt(v.high), fmt(v.low), fmt(v.close)];
        return [
          v.openTime,
          o,
          h,
          l,
          cl,
          fmt(v.volume),
          v.closeTime,
          (v.volume * v.close).toFixed(5),
          100,
          (v.volume / 2).toFixed(3),
          ((v.volume * v.close) / 2).toFixed(5),
          "0",
        ];
      }),
      200,
    );
  }

  // ---- funding ----

  /**
   * Funding settlements of `symbol` with time in [from, to], never after the market clock: from
   * `<SYMBOL>-funding.csv[.gz]` in the data directory when present, else generated every 8 h since the
   * symbol's first candle — a seeded rate around +0.01 % (sometimes negative), a few settlements stamped a
   * few ms late as Binance's are, the mark price at the settlement instant.
   */
  private *settlements(symbol: string, from: number, to: number): Generator<FundingSettlement> {
    const last = Math.min(to, this.marketNow);
    const recorded = this.recordedFunding(symbol);
    if (recorded !== undefined) {
      for (const r of recorded) if (r.time >= from && r.time <= last) yield r;
      return;
    }
    const s = this.seriesOf(symbol, "30m");
    if (s === undefined) return;
    const listed = s.columns === undefined ? LISTED_AT : (s.columns.openTime[0] ?? Number.POSITIVE_INFINITY);
    const step = 8 * 3_600_000;
    for (let t = Math.ceil(Math.max(from - 10, listed) / step) * step; t <= last; t += step) {
      const k = t / step;
      const time = t + (unit(s.seed + 4, k) < 0.25 ? 1 + Math.floor(unit(s.seed + 5, k) * 9) : 0);
      if (time < from || time > last) continue;
      const rate = Math.round((0.0001 + 0.0004 * (unit(s.seed + 3, k) - 0.4)) * 1e8) / 1e8;
      const mark = this.candle(s, "30m", t)?.open;
      yield mark === undefined ? { time, rate } : { time, rate, markPrice: mark };
    }
  }

  private readonly fundingFiles = new Map<string, readonly FundingSettlement[] | undefined>();

  private recordedFunding(symbol: string): readonly FundingSettlement[] | undefined {
    if (this.fundingFiles.has(symbol)) return this.fundingFiles.get(symbol);
    let rows: readonly FundingSettlement[] | undefined;
    if (this.opts.dataDir !== undefined) {
      for (const name of [`${symbol}-funding.csv.gz`, `${symbol}-funding.csv`]) {
        try {
          const raw = new Uint8Array(readFileSync(`${this.opts.dataDir}/${name}`));
          const parsed = parseFundingCsv(
            new TextDecoder().decode(name.endsWith(".gz") ? new Uint8Array(gunzipSync(raw)) : raw),
          );
          if (parsed._tag === "Parsed")
            rows = parsed.rows.map((r) => ({ ...r, time: r.time + this.dataShiftMs }));
          break;
        } catch {}
      }
    }
    this.fundingFiles.set(symbol, rows);
    return rows;
  }

  /**
   * `GET /fapi/v1/fundingRate` as Binance answers it: `limit` 1..1000 (default 100); with `startTime` the
   * first settlements from there (up to `endTime`), otherwise the latest up to `endTime`; ascending;
   * without `symbol`, the data-file symbols together.
   */
  private fundingRate(params: URLSearchParams): Response {
    const symbol = params.get("symbol");
    const limit = Number(params.get("limit") ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      return this.json({ code: -1130, msg: "Data sent for parameter 'limit' is not valid." }, 400);
    if (symbol !== null && !this.symbols.includes(symbol))
      return this.json({ code: -1121, msg: "Invalid symbol." }, 400);
    const start = params.get("startTime");
    const end = params.get("endTime");
    const to = end === null ? Number.MAX_SAFE_INTEGER : Number(end);
    const from = start === null ? 0 : Number(start);
    const rows: { symbol: string; s: FundingSettlement }[] = [];
    for (const sym of symbol === null ? [...this.dataSymbols].sort() : [symbol])
      for (const s of this.settlements(sym, from, to)) rows.push({ symbol: sym, s });
    rows.sort((a, b) => a.s.time - b.s.time || (a.symbol < b.symbol ? -1 : 1));
    const picked = start === null ? rows.slice(-limit) : rows.slice(0, limit);
    return this.json(
      picked.map(({ symbol: sym, s }) => ({
        symbol: sym,
        fundingTime: s.time,
        fundingRate: s.rate.toFixed(8),
        markPrice: s.markPrice === undefined ? "" : s.markPrice.toFixed(8),
        rateType: "Regular",
      })),
      200,
    );
  }

  // ---- WebSocket ----

  private subscribedStreams(): Set<string> {
    const all = new Set<string>();
    for (const ws of this.sockets) for (const s of ws.data.streams) all.add(s);
    return all;
  }

  private send(ws: ServerWebSocket<Conn>, frame: string): void {
    if (ws.data.stalled) return;
    // 0: dropped, the connection's send buffer is full (a client that does not read fast enough).
    if (ws.send(frame) === 0) {
      this.stats.wsDropped++;
      return;
    }
    this.stats.framesSent++;
    this.stats.wsBytes += Buffer.byteLength(frame);
  }

  /** An answer to a client's message (SUBSCRIBE, LIST_SUBSCRIPTIONS...), counted in `stats.wsBytes`. */
  private reply(ws: ServerWebSocket<Conn>, body: unknown): void {
    const frame = JSON.stringify(body);
    ws.send(frame);
    this.stats.wsBytes += Buffer.byteLength(frame);
  }

  private broadcast(stream: string, frame: string): void {
    for (const ws of this.sockets) if (ws.data.streams.has(stream)) this.send(ws, frame);
  }

  private frame(
    stream: string,
    symbol: string,
    timeframe: Timeframe,
    c: Candle,
    closed: boolean,
    at: number,
  ): string {
    return JSON.stringify({
      stream,
      data: {
        e: "kline",
        E: at,
        s: symbol,
        k: {
          t: c.openTime,
          T: c.closeTime,
          s: symbol,
          i: timeframe,
          f: 100,
          L: 200,
          o: fmt(c.open),
          c: fmt(c.close),
          h: fmt(c.high),
          l: fmt(c.low),
          v: fmt(c.volume),
          n: 100,
          x: closed,
          q: (c.volume * c.close).toFixed(5),
          V: (c.volume / 2).toFixed(3),
          Q: ((c.volume * c.close) / 2).toFixed(5),
          B: "0",
        },
      },
    });
  }

  /** Pushes what happened on `stream` between market times `from` and `to`: closes, then the forming update. */
  private pushKline(stream: string, from: number, to: number): void {
    const match = /^([a-z0-9_]+)@kline_(\w+)$/.exec(stream);
    const symbol = match?.[1]?.toUpperCase() ?? "";
    const timeframe = match?.[2] ?? "";
    if (!isTimeframe(timeframe)) return;
    const s = this.seriesOf(symbol, timeframe);
    if (s === undefined) return;
    const step = TIMEFRAME_MS[timeframe];
    // Every candle that closed in (from, to].
    for (let open = Math.floor(from / step) * step; open + step <= to; open += step) {
      if (open + step <= from) continue;
      const c = this.candle(s, timeframe, open);
      if (c === undefined) continue;
      const frame = this.frame(stream, symbol, timeframe, c, true, c.closeTime + 1);
      if (this.closedDelayMs > 0)
        this.pending.push({ sendAt: c.closeTime + 1 + this.closedDelayMs, stream, frame });
      else this.broadcast(stream, frame);
    }
    const current = this.candle(s, timeframe, Math.floor(to / step) * step);
    if (current !== undefined && to > current.openTime) {
      this.broadcast(stream, this.frame(stream, symbol, timeframe, this.asOf(current, to), false, to));
    }
  }

  private flushPending(now: number): void {
    if (this.pending.length === 0) return;
    const due = this.pending.filter((p) => p.sendAt <= now);
    this.pending = this.pending.filter((p) => p.sendAt > now);
    for (const p of due) this.broadcast(p.stream, p.frame);
  }

  private onClientMessage(ws: ServerWebSocket<Conn>, text: string): void {
    this.stats.wsIncoming++;
    const now = this.opts.realClock();
    ws.data.incoming = ws.data.incoming.filter((t) => now - t < 1000);
    ws.data.incoming.push(now);
    if (ws.data.incoming.length > this.opts.maxIncomingPerSecond) {
      this.stats.wsClosedForRate++;
      ws.close(1008, "Too many requests");
      return;
    }
    let msg: { method?: unknown; params?: unknown; id?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      this.reply(ws, { error: { code: 2, msg: "Invalid request" }, id: null });
      return;
    }
    const params = Array.isArray(msg.params)
      ? msg.params.filter((p): p is string => typeof p === "string")
      : [];
    if (msg.method === "SUBSCRIBE") {
      for (const p of params) ws.data.streams.add(p);
      if (ws.data.streams.size > this.opts.maxStreamsPerConnection) {
        ws.close(1008, "Too many streams");
        return;
      }
    } else if (msg.method === "UNSUBSCRIBE") {
      for (const p of params) ws.data.streams.delete(p);
    } else if (msg.method === "LIST_SUBSCRIPTIONS") {
      this.reply(ws, { result: [...ws.data.streams], id: msg.id ?? null });
      return;
    }
    this.reply(ws, { result: null, id: msg.id ?? null });
  }

  private start(port: number): void {
    this.server = Bun.serve<Conn>({
      hostname: "127.0.0.1",
      port,
      // Never closes a quiet connection by itself: a hung answer stays hung until the client gives up.
      idleTimeout: 0,
      fetch: (req, server) => {
        const url = new URL(req.url);
        if (url.pathname === "/market/stream") {
          const streams = (url.searchParams.get("streams") ?? "").split("/").filter((s) => s.length > 0);
          if (streams.length > this.opts.maxStreamsPerConnection)
            return new Response("too many streams", { status: 400 });
          const data: Conn = {
            id: this.nextConnId++,
            streams: new Set(streams),
            stalled: false,
            incoming: [],
          };
          if (server.upgrade(req, { data })) return undefined;
          return new Response("upgrade required", { status: 426 });
        }
        return this.restAnswer(url);
      },
      websocket: {
        open: (ws) => {
          this.stats.wsConnections++;
          this.sockets.add(ws);
          this.wakeWaiters();
        },
        message: (ws, message) => {
          this.onClientMessage(ws, typeof message === "string" ? message : message.toString());
          this.wakeWaiters();
        },
        close: (ws) => {
          this.sockets.delete(ws);
          this.wakeWaiters();
        },
        pong: () => {
          this.stats.pongs++;
          this.wakeWaiters();
        },
        sendPings: false,
      },
    });
  }
}
