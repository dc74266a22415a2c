/** Test support for core and its users: in-memory layers of every port, builders, contract suites. */

export * from "./effect.ts";
export * from "./KeyValueStoreMemory.ts";
export * from "./SignalStoreContract.ts";
export * from "./SignalStoreMemory.ts";
export * from "./TradeBuilders.ts";
