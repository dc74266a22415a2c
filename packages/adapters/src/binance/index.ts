/** Binance USD-M futures adapters: weight-budgeted REST (`MarketData`) and self-healing kline streams. */
export * as BinanceMarketData from "./BinanceMarketData.ts";
export * from "./BinanceRest.ts";
export * from "./BinanceStreams.ts";
export * from "./Decode.ts";
export * from "./WeightGovernor.ts";
