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
}
