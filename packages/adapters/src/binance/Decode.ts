/**
 * Strict decoders for the Binance payloads this adapter reads (REST bodies and WebSocket kline frames).
 * Hand-written rather than Schema because the kline frame decoder runs ~1000 times a second; each returns the
 * domain value or a `MarketDataError` naming the endpoint and the offending field.
 */
import {
  type Candle,
  type CandleEvent,
  type FundingSettlement,
  isTimeframe,
  MarketDataError,
  type SymbolInfo,
} from "@signalbot/core";

/** One `exchangeInfo.symbols[]` entry; `info` is present when the price, lot and notional filters are. */
export interface ExchangeSymbol {
  readonly symbol: string;
  readonly status: string;
  readonly contractType: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** `onboardDate`: when the contract was listed (ms UTC); absent from some payloads. */
  readonly listedAt?: number;
  readonly info: SymbolInfo | undefined;
}

/** One all-symbols 24 h ticker row: what the universe ranks by and screens with. */
export interface TickerStats {
  readonly quoteVolume: number;
  readonly high: number;
  readonly low: number;
}

class Invalid extends Error {}

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u);

const str = (o: Record<string, unknown>, key: string, at: string): string => {
  const v = o[key];
  if (typeof v !== "string") throw new Invalid(`${at}.${key}: expected a string, got ${JSON.stringify(v)}`);
  return v;
};

const int = (o: Record<string, unknown>, key: string, at: string): number => {
  const v = o[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v))
    throw new Invalid(`${at}.${key}: expected an integer, got ${JSON.stringify(v)}`);
  return v;
};

/** A decimal string as Binance sends prices and quantities ("76914.90"). */
const decimal = (v: unknown, at: string): number => {
  const n = typeof v === "string" && v.length > 0 ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) throw new Invalid(`${at}: expected a decimal string, got ${JSON.stringify(v)}`);
  return n;
};

const wrap = <A>(source: string, decode: () => A): A | MarketDataError => {
  try {
    return decode();
  } catch (e) {
    if (e instanceof Invalid)
      return new MarketDataError({ reason: "badResponse", source, message: e.message });
    throw e;
  }
};

export const decodeServerTime = (body: unknown, source: string): number | MarketDataError =>
  wrap(source, () => {
    if (!isRecord(body)) throw new Invalid("body: expected an object");
    return int(body, "serverTime", "body");
  });

const filtersOf = (filters: unknown, at: string): SymbolInfo | undefined => {
  if (!Array.isArray(filters)) throw new Invalid(`${at}.filters: expected an array`);
  let tickSize: string | undefined;
  let stepSize: string | undefined;
  let minNotional: number | undefined;
  for (const f of filters) {
    if (!isRecord(f)) continue;
    if (f.filterType === "PRICE_FILTER") tickSize = str(f, "tickSize", `${at}.PRICE_FILTER`);
    else if (f.filterType === "LOT_SIZE") stepSize = str(f, "stepSize", `${at}.LOT_SIZE`);
    else if (f.filterType === "MIN_NOTIONAL")
      minNotional = decimal(f.notional, `${at}.MIN_NOTIONAL.notional`);
  }
  decimal(tickSize ?? "1", `${at}.tickSize`);
  decimal(stepSize ?? "1", `${at}.stepSize`);
  return tickSize !== undefined && stepSize !== undefined && minNotional !== undefined
    ? { symbol: "", tickSize, stepSize, minNotional }
    : undefined;
};

export const decodeExchangeInfo = (
  body: unknown,
  source: string,
): readonly ExchangeSymbol[] | MarketDataError =>
  wrap(source, () => {
    if (!isRecord(body) || !Array.isArray(body.symbols)) throw new Invalid("body.symbols: expected an array");
    return body.symbols.map((s, i): ExchangeSymbol => {
      const at = `symbols[${i}]`;
      if (!isRecord(s)) throw new Invalid(`${at}: expected an object`);
      const symbol = str(s, "symbol", at);
      const filters = filtersOf(s.filters, `${at}(${symbol})`);
      return {
        symbol,
        status: str(s, "status", at),
        contractType: str(s, "contractType", at),
        baseAsset: str(s, "baseAsset", at),
        quoteAsset: str(s, "quoteAsset", at),
        ...(s.onboardDate === undefined ? {} : { listedAt: int(s, "onboardDate", at) }),
        info: filters === undefined ? undefined : { ...filters, symbol },
      };
    });
  });

/**
 * The REQUEST_WEIGHT limit per minute that exchangeInfo's `rateLimits` advertises for this IP, or undefined
 * when absent or not a per-minute limit (the governor's window is the minute).
 */
export const requestWeightLimit = (body: unknown): number | undefined => {
  if (!isRecord(body) || !Array.isArray(body.rateLimits)) return undefined;
  for (const r of body.rateLimits) {
    if (!isRecord(r) || r.rateLimitType !== "REQUEST_WEIGHT") continue;
    if (r.interval !== "MINUTE" || r.intervalNum !== 1) continue;
    const limit = r.limit;
    if (typeof limit === "number" && Number.isFinite(limit) && limit > 0) return limit;
  }
  return undefined;
};

/** All-symbols 24 h tickers → quote volume and 24 h high/low by symbol. */
export const decodeTickers = (
  body: unknown,
  source: string,
): ReadonlyMap<string, TickerStats> | MarketDataError =>
  wrap(source, () => {
    if (!Array.isArray(body)) throw new Invalid("body: expected an array of tickers");
    const out = new Map<string, TickerStats>();
    body.forEach((t, i) => {
      if (!isRecord(t)) throw new Invalid(`[${i}]: expected an object`);
      out.set(str(t, "symbol", `[${i}]`), {
        quoteVolume: decimal(t.quoteVolume, `[${i}].quoteVolume`),
        high: decimal(t.highPrice, `[${i}].highPrice`),
        low: decimal(t.lowPrice, `[${i}].lowPrice`),
      });
    });
    return out;
  });

/** One symbol's last traded price and when it traded (`GET /fapi/v2/ticker/price?symbol=`). */
export interface PriceSample {
  readonly symbol: string;
  readonly price: number;
  /** Transaction time of that price (ms UTC). */
  readonly time: number;
}

export const decodePriceTicker = (body: unknown, source: string): PriceSample | MarketDataError =>
  wrap(source, () => {
    if (!isRecord(body)) throw new Invalid("body: expected an object");
    const price = decimal(body.price, "body.price");
    if (!(price > 0 && price < MAX_PRICE)) throw new Invalid(`body.price: impossible price ${price}`);
    return { symbol: str(body, "symbol", "body"), price, time: int(body, "time", "body") };
  });

/** No contract trades at a billion USDT or more; a price there is a corrupt field, not a market. */
export const MAX_PRICE = 1e9;
/** Above any real 30m–1d volume (1000PEPE's busiest day is ~3e11 contracts). */
export const MAX_VOLUME = 1e15;

/**
 * Why a candle cannot be real, or undefined: every price positive and below `MAX_PRICE`, the volume in
 * [0, `MAX_VOLUME`], and low ≤ open, close ≤ high. Such a candle would poison the series and the open trades.
 */
export const impossibleCandle = (c: Omit<Candle, "openTime" | "closeTime">): string | undefined => {
  for (const [name, v] of [
    ["open", c.open],
    ["high", c.high],
    ["low", c.low],
    ["close", c.close],
  ] as const)
    if (!(v > 0 && v < MAX_PRICE)) return `impossible ${name} price ${v}`;
  if (!(c.volume >= 0 && c.volume <= MAX_VOLUME)) return `impossible volume ${c.volume}`;
  if (c.high < c.low) return `high ${c.high} below low ${c.low}`;
  if (c.open > c.high || c.close > c.high) return `open/close above high ${c.high}`;
  if (c.open < c.low || c.close < c.low) return `open/close below low ${c.low}`;
  return undefined;
};

/** Klines as decoded: the candles, and the rows dropped as impossible (the response as a whole is fine). */
export interface KlineRows {
  readonly candles: readonly Candle[];
  /** Rows the exchange sent, impossible ones included (for paging). */
  readonly rows: number;
  /** "[3] open time 1735689600000: impossible low price 0", one per dropped row. */
  readonly rejected: readonly string[];
}

/**
 * `[openTime, "o", "h", "l", "c", "v", closeTime, ...]` rows, checked ascending. A row with impossible prices
 * (see `impossibleCandle`) is dropped and reported in `rejected`; a row that does not parse fails the body.
 */
export const decodeKlineRows = (body: unknown, source: string): KlineRows | MarketDataError =>
  wrap(source, () => {
    if (!Array.isArray(body)) throw new Invalid("body: expected an array of klines");
    let previous = Number.NEGATIVE_INFINITY;
    const candles: Candle[] = [];
    const rejected: string[] = [];
    body.forEach((row, i) => {
      const at = `[${i}]`;
      if (!Array.isArray(row) || row.length < 7) throw new Invalid(`${at}: expected a kline array`);
      const openTime = row[0];
      const closeTime = row[6];
      if (typeof openTime !== "number" || typeof closeTime !== "number" || closeTime <= openTime)
        throw new Invalid(`${at}: bad open/close time ${JSON.stringify([openTime, closeTime])}`);
      if (openTime <= previous) throw new Invalid(`${at}: open time ${openTime} not ascending`);
      previous = openTime;
      const candle: Candle = {
        openTime,
        open: decimal(row[1], `${at}.open`),
        high: decimal(row[2], `${at}.high`),
        low: decimal(row[3], `${at}.low`),
        close: decimal(row[4], `${at}.close`),
        volume: decimal(row[5], `${at}.volume`),
        closeTime,
      };
      const why = impossibleCandle(candle);
      if (why === undefined) candles.push(candle);
      else rejected.push(`${at} open time ${openTime}: ${why}`);
    });
    return { candles, rows: body.length, rejected };
  });

/** `decodeKlineRows` keeping only the candles (impossible rows dropped). */
export const decodeKlines = (body: unknown, source: string): readonly Candle[] | MarketDataError => {
  const decoded = decodeKlineRows(body, source);
  return decoded instanceof MarketDataError ? decoded : decoded.candles;
};

/**
 * `GET /fapi/v1/fundingRate` rows `{symbol, fundingTime, fundingRate: "0.00010000", markPrice: "76907.97"}`,
 * checked ascending; `markPrice` may be "" for old settlements (then left out).
 */
export const decodeFundingRates = (
  body: unknown,
  source: string,
): readonly FundingSettlement[] | MarketDataError =>
  wrap(source, () => {
    if (!Array.isArray(body)) throw new Invalid("body: expected an array of funding rates");
    let previous = Number.NEGATIVE_INFINITY;
    return body.map((row, i): FundingSettlement => {
      const at = `[${i}]`;
      if (!isRecord(row)) throw new Invalid(`${at}: expected an object`);
      const time = int(row, "fundingTime", at);
      if (time <= previous) throw new Invalid(`${at}: fundingTime ${time} not ascending`);
      previous = time;
      const rate = decimal(row.fundingRate, `${at}.fundingRate`);
      const mark = row.markPrice;
      if (mark === undefined || mark === "") return { time, rate };
      return { time, rate, markPrice: decimal(mark, `${at}.markPrice`) };
    });
  });

/** What a combined-stream frame carries: a kline event, a reply to SUBSCRIBE, or something we do not know. */
export type StreamFrame =
  | { readonly _tag: "Kline"; readonly event: CandleEvent }
  | { readonly _tag: "Reply"; readonly id: unknown }
  | { readonly _tag: "Malformed"; readonly message: string };

/** `{"stream":"btcusdt@kline_30m","data":{"e":"kline",...,"k":{t,T,s,i,o,c,h,l,v,x,...}}}`. */
export const decodeStreamFrame = (text: string): StreamFrame => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { _tag: "Malformed", message: `not JSON: ${text.slice(0, 80)}` };
  }
  if (!isRecord(json)) return { _tag: "Malformed", message: "not an object" };
  if ("result" in json && "id" in json) return { _tag: "Reply", id: json.id };
  try {
    const data = json.data;
    if (!isRecord(data) || data.e !== "kline" || !isRecord(data.k))
      throw new Invalid("data: not a kline event");
    const k = data.k;
    const interval = str(k, "i", "k");
    if (!isTimeframe(interval)) throw new Invalid(`k.i: unsupported interval "${interval}"`);
    if (typeof k.x !== "boolean") throw new Invalid("k.x: expected a boolean");
    const openTime = int(k, "t", "k");
    const closeTime = int(k, "T", "k");
    if (closeTime <= openTime) throw new Invalid("k.T: before k.t");
    const candle: Candle = {
      openTime,
      open: decimal(k.o, "k.o"),
      high: decimal(k.h, "k.h"),
      low: decimal(k.l, "k.l"),
      close: decimal(k.c, "k.c"),
      volume: decimal(k.v, "k.v"),
      closeTime,
    };
    const symbol = str(k, "s", "k");
    const why = impossibleCandle(candle);
    if (why !== undefined) throw new Invalid(`k: "${symbol}" ${interval} at ${openTime}: ${why}`);
    return { _tag: "Kline", event: { symbol, timeframe: interval, closed: k.x, candle } };
  } catch (e) {
    if (e instanceof Invalid) return { _tag: "Malformed", message: e.message };
    throw e;
  }
};
