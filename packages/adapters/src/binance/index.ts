/**
 * Binance USD-M futures adapters: weight-budgeted REST (`MarketData`), and the `MarketStream` either as
 * self-healing kline streams (WebSocket) or as REST polled after each close (MARKET_DATA=poll).
 */
export * as BinanceMarketData from "./BinanceMarketData.ts";
export * from "./BinanceRest.ts";
export type { BinanceStreams, BinanceStreamsConfig, StreamsStats } from "./BinanceStreams.ts";
export * as BinanceMarketStream from "./BinanceStreams.ts";
export * from "./Decode.ts";
export type { KlinePoll, KlinePollConfig } from "./KlinePoll.ts";
export * as BinanceMarketPoll from "./KlinePoll.ts";
export * from "./Schedules.ts";
export * from "./WeightGovernor.ts";
