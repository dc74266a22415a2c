/**
 * What the exchange tells us about a tradable symbol: the filters used to format prices and size positions.
 * Tick and step sizes stay decimal strings so rounding can be done with integer arithmetic.
 */
export interface SymbolInfo {
  readonly symbol: string;
  /** PRICE_FILTER.tickSize, e.g. "0.10". */
  readonly tickSize: string;
  /** LOT_SIZE.stepSize, e.g. "0.001". */
  readonly stepSize: string;
  /** MIN_NOTIONAL.notional in quote currency, e.g. 100. */
  readonly minNotional: number;
}

/** One row of the ranked universe: a USDT-quoted perpetual with its 24 h quote volume. */
export interface UniverseEntry {
  readonly symbol: string;
  readonly quoteVolume: number;
  readonly info: SymbolInfo;
  /** exchangeInfo's baseAsset ("BTC", "1000PEPE", "USDC"), when the source knows it. */
  readonly baseAsset?: string;
  /** exchangeInfo's onboardDate: when the contract was listed (ms UTC), when the source knows it. */
  readonly listedAt?: number;
  /** Highest and lowest price of the last 24 h (the 24 h ticker), when the source knows them. */
  readonly high24h?: number;
  readonly low24h?: number;
}
