/** Loopback fakes of the external APIs (Binance, Telegram) for integration tests and benchmarks, and the wording check. */
export * from "./FakeBotApi.ts";
export * from "./FakeExchange.ts";
export * from "./LogCapture.ts";
export * from "./ManualClock.ts";
export * from "./StreamEvents.ts";
export * from "./Wording.ts";
