import { expect, test } from "bun:test";
import { makeLogger } from "./Log.ts";

const capture = (format: "pretty" | "json", level: "debug" | "info" = "info") => {
  const lines: string[] = [];
  const log = makeLogger({
    level,
    format,
    secrets: ["123456:ABCDEF-token"],
    write: (l) => lines.push(l),
    now: () => Date.UTC(2026, 2, 2, 14, 30),
  });
  return { lines, log };
};

test("JSON lines carry time, level, component and fields", () => {
  const { lines, log } = capture("json");
  log.child("scan").info("signal blocked: cooldown", { symbol: "SOLUSDT", until: "2026-03-02T14:30Z" });
  expect(JSON.parse(lines[0]!)).toEqual({
    time: "2026-03-02T14:30:00.000Z",
    level: "info",
    msg: "signal blocked: cooldown",
    component: "scan",
    symbol: "SOLUSDT",
    until: "2026-03-02T14:30Z",
  });
});

test("readable lines on a terminal", () => {
  const { lines, log } = capture("pretty");
  log.warn("market data stale", { minutes: 3, shard: "s-1" });
  expect(lines[0]).toBe("2026-03-02 14:30:00 WARN  market data stale minutes=3 shard=s-1");
});

test("secrets are redacted from messages and fields, in both formats", () => {
  for (const format of ["json", "pretty"] as const) {
    const { lines, log } = capture(format);
    log.error("request to https://api.telegram.org/bot123456:ABCDEF-token/sendMessage failed", {
      url: "https://api.telegram.org/bot123456:ABCDEF-token/getMe",
      error: new Error("bad 123456:ABCDEF-token"),
    });
    expect(lines[0]).not.toContain("ABCDEF");
    expect(lines[0]).toContain("bot***/sendMessage");
  }
});

test("lines below the level are dropped", () => {
  const { lines, log } = capture("json");
  log.debug("noise");
  expect(lines).toHaveLength(0);
});
