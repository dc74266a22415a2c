/** Loopback fakes of the external APIs (Binance, Telegram) for integration tests and benchmarks. */
export * from "./FakeBotApi.ts";
export * from "./FakeExchange.ts";
