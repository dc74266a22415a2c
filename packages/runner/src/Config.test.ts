import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { envExample, loadConfig, parseDotEnv, redactedConfig, secretsOf, VARIABLES } from "./Config.ts";

const valid = (env: Record<string, string>) => {
  const r = loadConfig(env);
  if (r._tag !== "Valid") throw new Error(r.problems.join("\n"));
  return r.config;
};

describe("configuration", () => {
  test("no configuration at all gives the documented defaults", () => {
    const c = valid({});
    expect(c.restUrl).toBe("https://fapi.binance.com");
    expect(c.wsUrl).toBe("wss://fstream.binance.com/market");
    expect(c.databasePath).toBe("./data/signalbot.db");
    expect(c.fixedSymbols).toEqual(["BTCUSDT", "ETHUSDT", "BNBUSDT"]);
    expect(c.maxSymbolsSubscribed).toBe(40);
    expect(c.scoreThreshold).toBe(75);
    expect(c.telegramBotToken).toBeUndefined();
  });

  test("testnet switches both endpoints; explicit overrides win", () => {
    expect(valid({ BINANCE_TESTNET: "true" }).restUrl).toBe("https://demo-fapi.binance.com");
    expect(valid({ BINANCE_TESTNET: "true" }).wsUrl).toBe("wss://fstream.binancefuture.com");
    expect(valid({ BINANCE_REST_URL: "http://127.0.0.1:9000/" }).restUrl).toBe("http://127.0.0.1:9000");
  });

  test("every problem is reported, one line each, naming the variable", () => {
    const r = loadConfig({
      SCORE_THRESHOLD: "abc",
      MAX_SYMBOLS_SUBSCRIBED: "0",
      FIXED_SYMBOLS: "BTC USDT",
      TIMEZONE: "Mars/Base",
    });
    expect(r._tag).toBe("Invalid");
    if (r._tag !== "Invalid") return;
    expect(r.problems).toHaveLength(4);
    expect(r.problems.join("\n")).toContain('SCORE_THRESHOLD: expected a number, got "abc"');
    expect(r.problems.join("\n")).toContain("MAX_SYMBOLS_SUBSCRIBED: must be between 1 and 1024");
    expect(r.problems.join("\n")).toContain('FIXED_SYMBOLS: not a symbol: "BTC USDT"');
    expect(r.problems.join("\n")).toContain('TIMEZONE: unknown time zone "Mars/Base"');
  });

  test("the tradeability gates and the universe filter: defaults, overrides, and what is refused", () => {
    const d = loadConfig({});
    expect(d._tag === "Valid" && d.config).toMatchObject({
      maxCostR: 0.2,
      maxLeverage: 10,
      universeMinRangePercent: 2,
      universeRangeDays: 7,
      universeMinAgeDays: undefined,
    });
    expect(d._tag === "Valid" && d.config.universePeggedAssets).toContain("USDC");
    const o = loadConfig({ UNIVERSE_PEGGED_ASSETS: "none", UNIVERSE_MIN_AGE_DAYS: "0", MAX_LEVERAGE: "20" });
    expect(o._tag === "Valid" && o.config).toMatchObject({
      universePeggedAssets: [],
      universeMinAgeDays: 0,
      maxLeverage: 20,
    });
    const r = loadConfig({
      UNIVERSE_PEGGED_ASSETS: "usdc, US-DC",
      MAX_COST_R: "0",
      UNIVERSE_RANGE_DAYS: "2.5",
    });
    expect(r._tag === "Invalid" && r.problems).toEqual([
      "MAX_COST_R: must be between 0.01 and 10, got 0",
      'UNIVERSE_PEGGED_ASSETS: not an asset: "US-DC"',
      'UNIVERSE_RANGE_DAYS: expected a whole number, got "2.5"',
    ]);
  });

  test("the models: MODELS takes built-in names and module paths; rules 5a and 5b watch any model by name", () => {
    expect(valid({})).toMatchObject({
      modelEntries: ["continuation", "reversal"],
      memoryDisableModels: ["reversal"],
      memoryPreferredModel: "continuation",
    });
    expect(
      valid({
        MODELS: " continuation , ./examples/donchian/Donchian.ts",
        MEMORY_DISABLE_MODELS: "reversal,donchian",
        MEMORY_PREFERRED_MODEL: "donchian",
      }),
    ).toMatchObject({
      modelEntries: ["continuation", "./examples/donchian/Donchian.ts"],
      memoryDisableModels: ["reversal", "donchian"],
      memoryPreferredModel: "donchian",
    });
    expect(valid({ MEMORY_DISABLE_MODELS: "none" }).memoryDisableModels).toEqual([]);
    const r = loadConfig({
      MODELS: "reversal,reversal",
      MEMORY_DISABLE_MODELS: "Reversal,rsi-2",
      MEMORY_PREFERRED_MODEL: "continuation,donchian",
    });
    expect(r._tag === "Invalid" && r.problems).toEqual([
      'MODELS: listed twice: "reversal"',
      'MEMORY_DISABLE_MODELS: not a model name: "Reversal", "rsi-2"',
      'MEMORY_PREFERRED_MODEL: expected one model name, got "continuation,donchian"',
    ]);
  });

  test("a bot token needs a chat id, and the error says how to find it", () => {
    const r = loadConfig({ TELEGRAM_BOT_TOKEN: "123:abc" });
    expect(r._tag === "Invalid" && r.problems).toEqual([
      "TELEGRAM_CHAT_ID: required when TELEGRAM_BOT_TOKEN is set (`bun run telegram-setup` finds it for you)",
    ]);
  });

  test("problems across variables are reported in the same round as the others", () => {
    const r = loadConfig({
      TELEGRAM_BOT_TOKEN: "123:abc",
      SCORE_THRESHOLD: "high",
      FIXED_SYMBOLS: "BTCUSDT,ETHUSDT,SOLUSDT",
      MAX_SYMBOLS_SUBSCRIBED: "2",
    });
    expect(r._tag === "Invalid" && r.problems).toEqual([
      'SCORE_THRESHOLD: expected a number, got "high"',
      "TELEGRAM_CHAT_ID: required when TELEGRAM_BOT_TOKEN is set (`bun run telegram-setup` finds it for you)",
      "FIXED_SYMBOLS: 3 fixed symbols exceed MAX_SYMBOLS_SUBSCRIBED=2",
    ]);
  });

  test("market data: the stream by default; poll with its delay, its price poll off or at least 10 s", () => {
    expect(valid({})).toMatchObject({ marketData: "stream", pollDelaySeconds: 5, pollPriceSeconds: 0 });
    expect(valid({ MARKET_DATA: "POLL", POLL_PRICE_SECONDS: "60" })).toMatchObject({
      marketData: "poll",
      pollPriceSeconds: 60,
    });
    const r = loadConfig({ MARKET_DATA: "rest", POLL_PRICE_SECONDS: "5", POLL_DELAY_SECONDS: "0" });
    expect(r._tag === "Invalid" && r.problems).toEqual([
      'MARKET_DATA: expected one of stream, poll, got "rest"',
      "POLL_DELAY_SECONDS: must be between 1 and 300, got 0",
      "POLL_PRICE_SECONDS: 0 (off) or at least 10, got 5 (one request per open trade each time)",
    ]);
  });

  test("the dashboard listens on 127.0.0.1 by default; any other address needs a token of 16+ characters", () => {
    expect(valid({}).httpHost).toBe("127.0.0.1");
    expect(valid({ HTTP_HOST: "::1" }).dashboardToken).toBeUndefined();
    const open = loadConfig({ HTTP_HOST: "0.0.0.0" });
    expect(open._tag === "Invalid" && open.problems).toEqual([
      "DASHBOARD_TOKEN: required when HTTP_HOST=0.0.0.0 is not a loopback address (anyone who can reach the port would see the dashboard); set one, or keep HTTP_HOST=127.0.0.1 and use an SSH tunnel",
    ]);
    const short = loadConfig({ HTTP_HOST: "0.0.0.0", DASHBOARD_TOKEN: "abc123" });
    expect(short._tag === "Invalid" && short.problems).toEqual([
      "DASHBOARD_TOKEN: too short (6 characters, at least 16; e.g. openssl rand -hex 24)",
    ]);
    expect(JSON.stringify(short)).not.toContain("abc123");
    const token = "0123456789abcdef0123";
    const c = valid({ HTTP_HOST: "0.0.0.0", DASHBOARD_TOKEN: token });
    expect(c.dashboardToken).toBe(token);
    expect(JSON.stringify(redactedConfig(c))).not.toContain(token);
    expect(secretsOf(c)).toContain(token);
    const bad = loadConfig({ HTTP_HOST: "http://0.0.0.0:80/" });
    expect(bad._tag === "Invalid" && bad.problems[0]).toStartWith("HTTP_HOST: expected an address");
  });

  test("secrets never appear in the shown configuration", () => {
    const c = valid({
      TELEGRAM_BOT_TOKEN: "123:tok-XYZ",
      TELEGRAM_CHAT_ID: "42",
      BINANCE_API_SECRET: "s3cr3t-v",
    });
    const shown = JSON.stringify(redactedConfig(c));
    expect(shown).not.toContain("tok-XYZ");
    expect(shown).not.toContain("s3cr3t-v");
    expect(shown).toContain('"TELEGRAM_BOT_TOKEN":"***"');
    expect(secretsOf(c)).toEqual(["s3cr3t-v", "123:tok-XYZ"]);
  });

  test(".env files: comments on their own lines, quotes stripped", () => {
    expect(parseDotEnv("# c\nA=1\nexport B=\"two words\"\n\nC='x'\nbad line\n")).toEqual({
      A: "1",
      B: "two words",
      C: "x",
    });
  });

  test("the committed .env.example lists every variable with its default, no trailing comments", () => {
    const committed = readFileSync(new URL("../../../.env.example", import.meta.url), "utf8");
    expect(committed).toBe(envExample());
    for (const variable of Object.values(VARIABLES))
      expect(committed).toContain(`\n${variable.name}=${variable.example}\n`);
    for (const line of committed.split("\n")) if (!line.startsWith("#")) expect(line).not.toContain("#");
    expect(loadConfig(parseDotEnv(committed))._tag).toBe("Valid");
  });
});
