/**
 * The live bot with a model of the owner's own, registered by MODELS as a module path: it is warmed up and
 * analysed on every watched symbol, its setup goes through the gates to Telegram under its own label with its
 * own chart line and reason sentence, its virtual trade is tracked, and /status and /stats list it by label.
 * A MODELS entry that cannot be loaded stops the start with exit 78 and one line per problem.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../Config.ts";
import { EXIT_CONFIG, runBot } from "../cli/start.ts";
import { capturingLogger, type RunningBot, Simulation, TELEGRAM_CHAT_ID } from "./Simulation.ts";

const START = Date.UTC(2025, 0, 5, 12, 0);
/** The first 4h close after the start: the probe model fires there. */
const FIRST_4H_CLOSE = Date.UTC(2025, 0, 5, 16, 0);
const CORE = fileURLToPath(new URL("../../../core/src/index.ts", import.meta.url));

/**
 * A model as an owner would write it in a module of their own: a LONG on every 4h close, stop and targets from
 * core's levels helper, score 90 — so that one certainly fires in the simulated window.
 */
const PROBE = `
import { buildSetup, component, noSetup, onTrendClose, totalScore, trendLevels, warmupCandles } from ${JSON.stringify(CORE)};
const between = noSetup("probe", "betweenTrendCloses");
export default {
  name: "probe",
  label: { vi: "Mô hình thử", en: "Probe model" },
  create: ({ params }) => ({
    warmup: warmupCandles(params),
    evaluate: (snap) => {
      if (!onTrendClose(snap)) return between;
      const levels = trendLevels(snap, "LONG", params, false);
      if (levels._tag === "Rejected") return { _tag: "NoSetup", model: "probe", reason: levels.reason };
      const components = [component("always", 0.9, 100)];
      return buildSetup(snap, "probe", "LONG", levels, totalScore(components), components, [{ code: "probeFired" }]);
    },
  }),
  phrases: { probeFired: (_, language) => (language === "vi" ? "Nến 4h vừa đóng cửa" : "A 4h candle closed") },
  chartLines: (candles) => [{ name: "Đường thử", values: candles.map((c) => c.close) }],
};
`;

let sim: Simulation;
let dir: string;
let bot: RunningBot | undefined;
const logs: string[] = [];
const log = capturingLogger(logs, () => sim.exchange.now());

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "signalbot-custom-model-"));
  writeFileSync(join(dir, "Probe.ts"), PROBE);
  sim = new Simulation({ startTime: START, generatedSymbols: 2 });
});
afterAll(async () => {
  await bot?.stop();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const sent = (method: "sendPhoto" | "sendMessage") =>
  sim.telegram.delivered().filter((r) => r.method === method);
const texts = () => sim.telegram.delivered().map((r) => String(r.params.text ?? r.params.caption ?? ""));

test("a model from MODELS fires live: its signal, label, reason and chart reach Telegram; its trade is tracked", async () => {
  const env = sim.env(join(dir, "signalbot.db"), {
    FIXED_SYMBOLS: "BTCUSDT",
    MAX_SYMBOLS_SUBSCRIBED: "1",
    MODELS: `continuation,reversal,${join(dir, "Probe.ts")}`,
    MEMORY_PREFERRED_MODEL: "probe",
  });
  bot = await sim.startBot(env, log);
  expect(logs.some((l) => l.includes('models: "continuation", "reversal", "probe"'))).toBe(true);
  expect(bot.handle.symbols.tracked("BTCUSDT")?.analyzer.models).toEqual([
    "continuation",
    "reversal",
    "probe",
  ]);
  while (sim.exchange.now() < FIRST_4H_CLOSE + 60_000) await sim.step();
  await sim.until(() => sent("sendPhoto").length > 0, "the probe's signal");
  const caption = String(sent("sendPhoto")[0]!.params.caption);
  expect(caption).toContain("BTCUSDT");
  expect(caption).toContain("Mô hình: Mô hình thử · khung 4h");
  expect(texts().some((t) => t.includes("Nến 4h vừa đóng cửa"))).toBe(true);
  expect(texts().join("\n")).not.toContain("probeFired");
  const trades = (await (await fetch(`http://127.0.0.1:${bot.handle.httpPort}/healthz`)).json()) as {
    readonly openTrades: number;
  };
  expect(trades.openTrades).toBe(1);

  const replies = sent("sendMessage").length;
  sim.telegram.pushMessage({ chatId: Number(TELEGRAM_CHAT_ID), fromId: 7, text: "/status" });
  await sim.until(() => sent("sendMessage").length > replies, "the /status reply");
  const status = String(sent("sendMessage").at(-1)!.params.text);
  expect(status).toContain("Tiếp diễn xu hướng");
  expect(status).toContain("Mô hình thử");
}, 60_000);

test("a MODELS entry that cannot be loaded stops the start (exit 78), naming it", async () => {
  const loaded = loadConfig(sim.env(join(dir, "other.db"), { MODELS: "continuation,./no/such/Model.ts" }));
  if (loaded._tag !== "Valid") throw new Error("the configuration itself is valid");
  const lines: string[] = [];
  const quiet = capturingLogger(lines, () => 0);
  expect(await runBot(loaded.config, { log: quiet })).toBe(EXIT_CONFIG);
  expect(lines.filter((l) => l.includes("MODELS:"))).toHaveLength(1);
  expect(lines.find((l) => l.includes("MODELS:"))).toContain('cannot load "./no/such/Model.ts"');
  const bad = loadConfig({ MODELS: "continuation,Bad Name" });
  expect(bad._tag === "Invalid" ? bad.problems : []).toEqual([
    'MODELS: not a model name or a module path: "Bad Name" (e.g. continuation,reversal,./models/Breakout.ts)',
  ]);
});
