/** Test support for core and its users: in-memory layers of every port, builders, contract suites. */

export * from "./CandleCacheContract.ts";
export * from "./CandleCacheMemory.ts";
export * from "./ClosedTradeBuilders.ts";
export * from "./effect.ts";
export * from "./HigherTimeframesMemory.ts";
export * from "./KeyValueStoreMemory.ts";
export * from "./klines.ts";
export * from "./MemoryBooks.ts";
export * from "./MemoryStoreMemory.ts";
export * from "./ModelBuilders.ts";
export * from "./SignalStoreContract.ts";
export * from "./SignalStoreMemory.ts";
export * from "./TradeBuilders.ts";
