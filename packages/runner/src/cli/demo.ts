/**
 * `bun run demo`: the real bot, end to end, without Binance or Telegram — a loopback fake exchange replays the
 * committed klines (fixtures/klines) at high speed and a fake Bot API receives the messages. Prints what the
 * bot decides and what it sends, then a summary; finishes by itself in well under a minute.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { htmlToPlain } from "@signalbot/adapters/telegram";
import { Simulation, TELEGRAM_CHAT_ID } from "../live/Simulation.ts";
import { makeLogger } from "../observability/Log.ts";

const START = Date.UTC(2025, 0, 6, 0, 0);
const DAYS = 21;
const INTERESTING =
  /signal emitted|signal blocked|trade "|memory:|rotation slot|started:|command:|backfilled/;

const main = async (): Promise<number> => {
  const dir = mkdtempSync(join(tmpdir(), "signalbot-demo-"));
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const sim = new Simulation({ startTime: START, generatedSymbols: 0 });
  const counts = { emitted: 0, blocked: new Map<string, number>(), closed: [] as string[] };
  const log = makeLogger({
    level: "info",
    format: "pretty",
    secrets: [],
    now: () => sim.exchange.now(),
    write: (line) => {
      if (!INTERESTING.test(line)) return;
      if (line.includes("signal emitted")) counts.emitted++;
      const blocked = /signal blocked: "\S+" (\S+)/.exec(line);
      if (blocked?.[1] !== undefined)
        counts.blocked.set(blocked[1], (counts.blocked.get(blocked[1]) ?? 0) + 1);
      const closed = /trade "([^"]+)" closed \((\w+)\)[^:]*: (-?[\d.]+) R/.exec(line);
      if (closed !== undefined && closed !== null)
        counts.closed.push(`${closed[1]?.split("|")[0]} ${closed[2]} ${closed[3]} R`);
      out(`  bot │ ${line}`);
    },
  });
  let shown = 0;
  const showMessages = () => {
    const sent = sim.telegram.delivered();
    for (; shown < sent.length; shown++) {
      const r = sent[shown]!;
      const body = htmlToPlain(String(r.params.text ?? r.params.caption ?? ""));
      const photo = r.method === "sendPhoto" ? " + chart PNG" : "";
      out(`  📨 Telegram ${r.method}${photo}:`);
      for (const l of body.split("\n")) out(`     │ ${l}`);
    }
  };

  out("signalbot demo: fake Binance + fake Telegram on 127.0.0.1, real bot, fixture klines from 2025-01-06");
  out(`  exchange ${sim.exchange.restUrl}   Bot API ${sim.telegram.apiRoot}   database ${dir}`);
  const started = performance.now();
  try {
    const bot = await sim.startBot(
      sim.env(join(dir, "signalbot.db"), {
        FIXED_SYMBOLS: "BTCUSDT,ETHUSDT,SOLUSDT",
        MAX_SYMBOLS_SUBSCRIBED: "8",
        ROTATION_SLOT_SECONDS: "43200",
      }),
      log,
    );
    const warmupMs = performance.now() - started;
    out(
      `  warm-up: ${bot.handle.symbols.view().active.length} symbols × 3 timeframes × 499 candles in ${warmupMs.toFixed(0)} ms`,
    );
    const end = START + DAYS * 86_400_000;
    let day = -1;
    while (sim.exchange.now() < end) {
      await sim.step();
      showMessages();
      const d = Math.floor((sim.exchange.now() - START) / 86_400_000);
      if (d !== day) {
        day = d;
        const h = bot.handle.health();
        out(
          `── ${new Date(sim.exchange.now()).toISOString().slice(0, 16)}Z  open trades ${String(h.openTrades)}, symbols ${(bot.handle.symbols.view().active).join(",")}`,
        );
      }
    }
    sim.telegram.pushMessage({ chatId: Number(TELEGRAM_CHAT_ID), fromId: 1, text: "/status" });
    const before = sim.telegram.delivered().length;
    await sim.until(() => sim.telegram.delivered().length > before, "the /status reply");
    showMessages();
    const health = bot.handle.health();
    const code = await bot.stop();
    showMessages();
    const seconds = (performance.now() - started) / 1000;
    const byMethod = new Map<string, number>();
    for (const r of sim.telegram.delivered()) byMethod.set(r.method, (byMethod.get(r.method) ?? 0) + 1);
    out("");
    out(`summary: ${DAYS} market days in ${seconds.toFixed(1)} s (exit ${code})`);
    out(`  signals emitted: ${counts.emitted}`);
    out(`  signals blocked: ${[...counts.blocked].map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`);
    out(
      `  trades closed:   ${counts.closed.join("; ") || "none"} (open at the end: ${String(health.openTrades)})`,
    );
    out(`  Telegram:        ${[...byMethod].map(([k, v]) => `${k} ${v}`).join(", ")}`);
    out(
      `  REST requests:   ${sim.exchange.stats.requests} (weight ${sim.exchange.stats.weight}, 429s ${sim.exchange.stats.rateLimited429})`,
    );
    return code;
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

process.exit(await main());
