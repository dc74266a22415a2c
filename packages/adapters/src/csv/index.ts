/** Kline CSV files (Binance archive layout) as a market-data source: the backtest's input. */
export * as CsvMarketData from "./CsvMarketData.ts";
export * from "./FundingCsv.ts";
export * from "./KlineCache.ts";
export * from "./KlineCsv.ts";
export * from "./KlineFiles.ts";
