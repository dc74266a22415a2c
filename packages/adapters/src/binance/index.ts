/** Binance USD-M futures adapters: weight-budgeted REST (`MarketData`) and self-healing kline streams (`MarketStream`). */
export * as BinanceMarketData from "./BinanceMarketData.ts";
export * from "./BinanceRest.ts";
export type { BinanceStreams, BinanceStreamsConfig, StreamsStats } from "./BinanceStreams.ts";
export * as BinanceMarketStream from "./BinanceStreams.ts";
export * from "./Decode.ts";
export * from "./Schedules.ts";
export * from "./WeightGovernor.ts";
