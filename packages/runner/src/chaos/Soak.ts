/**
 * The chaos soak: the real bot (child process) against the loopback fake exchange and fake Bot API, with
 * seeded faults (disconnects, silent stalls, 429 storms, one 418, REST answers whose body is slow or never
 * ends, REST requests never answered, Telegram outages, 429s and hung requests, a second bot on the same
 * database, kill -9 restarts) under a compressed market clock, then checks what the bot stored and delivered
 * against what the fakes served. Every check is a `Check`; the CLI exits non-zero when one fails.
 */

import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeExchange, startFakeBotApi } from "@signalbot/adapters/testing";
import { DAY_MS, TIMEFRAME_MS } from "@signalbot/core";
import { slope } from "../bench/Stats.ts";
import { makeRng } from "../random/Rng.ts";
import { BotProcess, freePort, probedBundle } from "./BotProcess.ts";
import { type AuditLine, parseAudit } from "./CandleAudit.ts";

export interface SoakOptions {
  readonly minutes: number;
  readonly seed: number;
  /** Symbols the bot subscribes (MAX_SYMBOLS_SUBSCRIBED). */
  readonly symbols: number;
  /** Market milliseconds per real millisecond (900: a 30m candle every 2 s). */
  readonly speed: number;
  readonly say: (line: string) => void;
  /** Keep the temporary directory (database, logs, audit) for inspection. */
  readonly keep: boolean;
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface SoakResult {
  readonly checks: readonly Check[];
  readonly figures: Readonly<Record<string, number | string>>;
  readonly dir: string;
}

type Fault =
  | "drop"
  | "stall"
  | "malformed"
  | "storm429"
  | "server5xx"
  | "telegramDown"
  | "telegram429"
  | "kill9"
  | "ban418"
  | "slowBody"
  | "hungRequest"
  | "telegramHang"
  | "secondInstance";

/** Faults injected once per soak at a fixed fraction of its length (outside the seeded schedule). */
const ONCE: readonly { readonly fault: Fault; readonly at: number }[] = [
  { fault: "secondInstance", at: 0.12 },
  { fault: "slowBody", at: 0.2 },
  { fault: "hungRequest", at: 0.3 },
  { fault: "telegramHang", at: 0.4 },
];

const THIRTY_MIN = TIMEFRAME_MS["30m"];
/** Real time between two market-clock steps. */
const TICK_MS = 50;
/** The market day the soak replays first (inside every full-year fixture). */
const REPLAY_FROM = Date.UTC(2025, 5, 1);
const FIXTURE_KLINES = fileURLToPath(new URL("../../../../fixtures/klines", import.meta.url));

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const runSoak = async (o: SoakOptions): Promise<SoakResult> => {
  const dir = mkdtempSync(join(tmpdir(), "signalbot-chaos-"));
  const rng = makeRng(o.seed);
  const say = o.say;
  // The market starts at the current 30m boundary, so the bot's wall clock and candle times agree and closed
  // candles are analysed; compressed time then runs ahead of the wall clock (never behind it).
  const startTime = Math.floor(Date.now() / THIRTY_MIN) * THIRTY_MIN;
  const exchange = new FakeExchange({
    // Real klines (the committed fixtures) shifted by whole days so that June 2025 plays "now": real markets
    // make real setups, so signals, trade results and their messages flow through the faults.
    dataDir: FIXTURE_KLINES,
    dataShiftMs: Math.floor((startTime - REPLAY_FROM) / DAY_MS) * DAY_MS,
    generatedSymbols: Math.max(o.symbols + 10, 60),
    startTime,
    // Forming pushes every market minute: at speed 900 that is ~15 per second per stream.
    updateIntervalMs: 60_000,
    banMs: 4_000,
  });
  const telegram = startFakeBotApi();
  const httpPort = freePort();
  const auditPath = join(dir, "candles.audit");
  const heapPath = join(dir, "heap.log");
  const dbPath = join(dir, "bot.db");
  const env: Record<string, string> = {
    BINANCE_REST_URL: exchange.restUrl,
    BINANCE_WS_URL: exchange.wsUrl,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_CHAT_ID: "1001",
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DATABASE_PATH: dbPath,
    HTTP_PORT: String(httpPort),
    MAX_SYMBOLS_SUBSCRIBED: String(o.symbols),
    // The ranked list holds exactly the subscribed symbols, so a rotation slot boundary on the wall clock
    // (every 30 min) changes nothing mid-soak: the checks compare each symbol's series from start to end.
    TOP_VOLUME_FETCH_LIMIT: String(o.symbols),
    DAILY_STATUS_HOUR: "-1",
    // Many signals and trade results, so the outbox carries real traffic through the faults and kill -9s:
    // a low threshold, no daily cap to speak of, no memory pauses, and an account large enough for the
    // generated symbols' whole-unit lot sizes.
    SCORE_THRESHOLD: "40",
    // Market time runs ×speed: the stream's freshness watchdog and reconnect backoff are scaled down with it
    // (30 s of silence would be 7 market hours), or a stall near the end would still be healing at the stop.
    WS_STALE_AFTER_MS: "3000",
    WS_RECONNECT_MAX_MS: "2000",
    MAX_SIGNALS_PER_DAY: "100",
    MEMORY_ENABLED: "false",
    STARTING_BALANCE: "1000000",
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
    CHAOS_CANDLE_AUDIT: auditPath,
    CHAOS_HEAP_LOG: heapPath,
  };
  const script = await probedBundle();
  const start = () => BotProcess.start({ env, cwd: dir, logFile: join(dir, "bot.log"), script });
  const started = (bot: BotProcess) =>
    bot.waitFor((r) => r.msg.startsWith("started:"), 120_000, '"started:"');

  let marketRunning = true;
  const marketLoop = (async () => {
    while (marketRunning) {
      exchange.advance(TICK_MS * o.speed);
      await sleep(TICK_MS);
    }
  })();

  const rss: { t: number; mb: number; run: number }[] = [];
  const faults: Record<Fault, number> = {
    drop: 0,
    stall: 0,
    malformed: 0,
    storm429: 0,
    server5xx: 0,
    telegramDown: 0,
    telegram429: 0,
    kill9: 0,
    ban418: 0,
    slowBody: 0,
    hungRequest: 0,
    telegramHang: 0,
    secondInstance: 0,
  };
  /** How each second bot started on the same database ended: exit code and whether it said why. */
  const secondInstances: { code: number; refused: boolean; started: boolean }[] = [];
  const checks: Check[] = [];
  let bot = start();
  let run = 0;
  const t0 = performance.now();
  const t0Wall = Date.now();
  try {
    const first = await started(bot);
    say(`bot started (pid ${bot.pid}), warm-up ${String(first.warmupMs ?? "?")} ms`);
    const durationMs = o.minutes * 60_000;
    // Faults during the first 70 %; the rest is quiet so the bot catches up and the outbox drains.
    const faultsUntil = t0 + durationMs * 0.7;
    const endAt = t0 + durationMs;
    let nextFaultAt = performance.now() + rng.int(2_000, 5_000);
    let banDone = false;
    let banStarted418 = 0;
    let banEndsAt = 0;
    let injected418 = 0;
    let telegramUpAt = 0;
    const onceDone = new Set<Fault>();
    let pendingSlow = false;
    let lastSample = 0;
    while (performance.now() < endAt) {
      const now = performance.now();
      if (now - lastSample >= 1000) {
        lastSample = now;
        const mb = bot.rssMb();
        if (Number.isFinite(mb)) rss.push({ t: (now - t0) / 1000, mb, run });
      }
      if (banEndsAt > 0 && now >= banEndsAt + 500) {
        injected418 = exchange.stats.banned418 - banStarted418;
        banEndsAt = 0;
      }
      if (telegramUpAt > 0 && now >= telegramUpAt) {
        telegram.setDown(undefined);
        telegramUpAt = 0;
      }
      // The hardening faults, once each at a fixed point of every soak (they draw nothing from the seeded
      // schedule, which stays as it was): slow and endless REST bodies, REST requests and a Telegram request
      // never answered, a second bot started on the same database.
      const due = ONCE.find((o) => !onceDone.has(o.fault) && now >= t0 + durationMs * o.at);
      if (due !== undefined) {
        onceDone.add(due.fault);
        faults[due.fault]++;
        say(`fault: ${due.fault}`);
        switch (due.fault) {
          case "slowBody":
            // Headers at once, then a body that crawls: one set finishing within the bot's 10 s deadline,
            // one never finishing (the deadline aborts it).
            exchange.slowBodyNext(3, 5_000);
            pendingSlow = true;
            break;
          case "hungRequest":
            exchange.hangNext(3);
            break;
          case "telegramHang":
            telegram.hang({ times: 1 });
            break;
          case "secondInstance": {
            const { CHAOS_CANDLE_AUDIT: _audit, CHAOS_HEAP_LOG: _heap, ...plain } = env;
            const other = BotProcess.start({
              env: { ...plain, HTTP_PORT: String(freePort()) },
              cwd: dir,
              logFile: join(dir, "second-instance.log"),
              script,
            });
            const code = await Promise.race([other.exited, sleep(30_000).then(() => -1)]);
            if (code === -1) await other.kill9();
            secondInstances.push({
              code,
              refused: other
                .log()
                .some((r) => r.msg.includes("another signalbot is already using this database")),
              started: other.log().some((r) => r.msg.startsWith("started:")),
            });
            break;
          }
        }
      }
      if (pendingSlow && now >= t0 + durationMs * 0.5) {
        pendingSlow = false;
        say("fault: slowBody (never ending)");
        exchange.slowBodyNext(3);
      }
      if (now >= nextFaultAt && now < faultsUntil) {
        const fault: Fault =
          !banDone && now > t0 + durationMs * 0.35
            ? "ban418"
            : now > t0 + durationMs * 0.45
              ? rng.pick<Fault>(["drop", "stall", "malformed", "storm429", "telegramDown", "telegram429"])
              : rng.pick<Fault>([
                  "drop",
                  "drop",
                  "stall",
                  "malformed",
                  "storm429",
                  "server5xx",
                  "telegramDown",
                  "telegram429",
                  "kill9",
                ]);
        faults[fault]++;
        say(`fault: ${fault}`);
        switch (fault) {
          case "drop":
            exchange.dropConnections();
            break;
          case "stall":
            exchange.stallConnections();
            break;
          case "malformed":
            exchange.sendMalformed(rng.int(1, 4));
            break;
          case "storm429":
            exchange.rateLimitStorm(rng.int(3, 12), 1);
            break;
          case "server5xx":
            exchange.failNext(rng.int(2, 6), 503);
            break;
          case "ban418":
            banDone = true;
            banStarted418 = exchange.stats.banned418;
            banEndsAt = now + 3_000;
            exchange.ban(3_000);
            break;
          case "telegramDown":
            telegram.setDown({ status: 502 });
            telegramUpAt = now + rng.int(2_000, 6_000);
            break;
          case "telegram429":
            telegram.fail({ status: 429, retryAfter: 1, times: rng.int(1, 3) });
            break;
          case "kill9":
            await bot.kill9();
            run++;
            bot = start();
            await started(bot);
            say(`bot restarted (pid ${bot.pid})`);
            break;
        }
        nextFaultAt = performance.now() + rng.int(3_000, 8_000);
      }
      await sleep(100);
    }
    telegram.setDown(undefined);
    // Let the outbox drain (Telegram pacing is 1 message/s) before stopping.
    const drain = async () => {
      const drainUntil = performance.now() + 30_000;
      while (performance.now() < drainUntil && pendingOutbox(dbPath) > 0) await sleep(500);
    };
    await drain();
    marketRunning = false;
    await marketLoop;
    // The last closes may still be in a 429 pause or a reconnect backfill; what they queue drains too.
    await sleep(8_000);
    await drain();
    const stoppingAt = Date.now();
    const code = await bot.terminate(15_000);
    checks.push({ name: "clean shutdown", ok: code === 0, detail: `exit code ${code} after SIGTERM` });

    checks.push(
      ...checkCandles(exchange, parseAudit(existsSync(auditPath) ? readFileSync(auditPath, "utf8") : "")),
    );
    checks.push(...checkNotifications(dbPath, telegram, faults.kill9, stoppingAt));
    const probe = await fetch(`${exchange.restUrl}/fapi/v1/time`);
    const botCaused418 = exchange.stats.banned418 - injected418;
    checks.push({
      name: "no ban at the end",
      ok: probe.status === 200 && botCaused418 === 0,
      detail: `exchange answers ${probe.status} at the end; 418 answers ${exchange.stats.banned418} (${injected418} during the injected ban, ${botCaused418} otherwise); 429 answers ${exchange.stats.rateLimited429}`,
    });
    checks.push(checkSecondInstances(secondInstances));
    checks.push(checkRss(rss, run));
    checks.push(checkHeap(existsSync(heapPath) ? readFileSync(heapPath, "utf8") : "", t0Wall));
    return {
      checks,
      dir,
      figures: {
        seconds: Math.round((performance.now() - t0) / 1000),
        marketCandles30m: Math.floor((exchange.now() - startTime) / THIRTY_MIN),
        restarts: faults.kill9,
        ...Object.fromEntries(Object.entries(faults).map(([k, v]) => [`fault.${k}`, v])),
        restRequests: exchange.stats.requests,
        restSlowBodies: exchange.stats.slowBodies,
        restHung: exchange.stats.hung,
        telegramHung: telegram.received.filter((r) => r.status === 0).length,
        maxRssMb: Math.round(Math.max(...rss.map((s) => s.mb))),
      },
    };
  } finally {
    marketRunning = false;
    if (bot.running) await bot.kill9();
    exchange.stop();
    await telegram.stop();
    if (!o.keep && checks.every((c) => c.ok)) rmSync(dir, { recursive: true, force: true });
  }
};

/** Every second bot started on the running bot's database exited 1 at once, saying why, and never ran. */
export const checkSecondInstances = (
  attempts: readonly { readonly code: number; readonly refused: boolean; readonly started: boolean }[],
): Check => {
  const bad = attempts.filter((a) => a.code !== 1 || !a.refused || a.started);
  return {
    name: "a second bot on the database is refused",
    ok: bad.length === 0,
    detail:
      attempts.length === 0
        ? "not injected this run"
        : `${attempts.length} started, ${attempts.length - bad.length} refused with exit 1 and the reason${bad.length > 0 ? `; wrong: ${JSON.stringify(bad)}` : ""}`,
  };
};

const pendingOutbox = (dbPath: string): number => {
  try {
    const db = new Database(dbPath, { readonly: true });
    try {
      const row = db.query("SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL").get() as {
        n: number;
      };
      return row.n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
};

/**
 * Closed 30m candles: within each bot process the stored sequence of every symbol has no hole where the
 * exchange has candles (real data has gaps of its own), no duplicate, and equals (close) the exchange's;
 * across restarts each process starts (warm-up) no later than the previous one ended, so the union covers
 * everything; the last process ends at the exchange's last close. 4h and 1d: no duplicate and no hole.
 */
export const checkCandles = (exchange: FakeExchange, audit: readonly AuditLine[]): Check[] => {
  const checks: Check[] = [];
  if (audit.length === 0) return [{ name: "candles stored vs served", ok: false, detail: "no audit lines" }];
  const byKey = new Map<string, AuditLine[]>();
  for (const a of audit) {
    const key = `${a.symbol} ${a.timeframe}`;
    const list = byKey.get(key) ?? [];
    list.push(a);
    byKey.set(key, list);
  }
  let stored = 0;
  let missing = 0;
  let duplicates = 0;
  let mismatched = 0;
  let behind = 0;
  const problems: string[] = [];
  const pids = [...new Set(audit.map((a) => a.pid))];
  for (const [key, lines] of byKey) {
    const [symbol = "", timeframe = ""] = key.split(" ");
    const step = TIMEFRAME_MS[timeframe as keyof typeof TIMEFRAME_MS];
    let prevRunEnd: number | undefined;
    for (const pid of pids) {
      const run = lines.filter((l) => l.pid === pid && l.result !== "Rejected");
      if (run.length === 0) continue;
      const seen = new Set<number>();
      for (let i = 0; i < run.length; i++) {
        const a = run[i]!;
        if (seen.has(a.openTime) || a.result === "Replaced") {
          duplicates++;
          if (problems.length < 5) problems.push(`duplicate ${key} ${new Date(a.openTime).toISOString()}`);
        }
        seen.add(a.openTime);
        const prev = run[i - 1];
        if (prev !== undefined && a.openTime > prev.openTime + step) {
          // A hole counts only where the exchange has candles: real data has gaps of its own.
          const served = exchange.closedCandles(
            symbol,
            timeframe as keyof typeof TIMEFRAME_MS,
            prev.openTime + step,
            a.openTime - step,
          ).length;
          missing += served;
          if (served > 0 && problems.length < 5)
            problems.push(`gap ${key} after ${new Date(prev.openTime).toISOString()}`);
        }
      }
      const first = run[0]!;
      const last = run[run.length - 1]!;
      if (timeframe === "30m") {
        stored += seen.size;
        if (prevRunEnd !== undefined && first.openTime > prevRunEnd + step) {
          missing += (first.openTime - prevRunEnd) / step - 1;
          if (problems.length < 5)
            problems.push(`restart hole ${key} after ${new Date(prevRunEnd).toISOString()}`);
        }
        const truth = new Map(
          exchange
            .closedCandles(symbol, "30m", first.openTime, last.openTime)
            .map((c) => [c.openTime, c.close]),
        );
        for (const a of run) {
          const close = truth.get(a.openTime);
          if (close === undefined || close !== a.close) {
            mismatched++;
            if (problems.length < 5)
              problems.push(
                `${key} ${new Date(a.openTime).toISOString()} stored ${a.close}, exchange ${close}`,
              );
          }
        }
        for (const t of truth.keys()) if (!seen.has(t)) missing++;
        prevRunEnd = last.openTime;
      }
    }
    if (timeframe === "30m" && prevRunEnd !== undefined) {
      const served = exchange.closedCandles(symbol, "30m", prevRunEnd, exchange.now());
      const lastServed = served[served.length - 1]?.openTime ?? prevRunEnd;
      if (lastServed > prevRunEnd) behind++;
    }
  }
  checks.push({
    name: "closed candles stored vs served",
    ok: missing === 0 && duplicates === 0 && mismatched === 0,
    detail: `${stored} 30m candles stored over ${pids.length} bot processes; missing ${missing}, duplicate ${duplicates}, differing from the exchange ${mismatched}${problems.length > 0 ? ` (${problems.join("; ")})` : ""}`,
  });
  checks.push({
    name: "caught up at the end",
    ok: behind === 0,
    detail: `${behind} symbol(s) behind the exchange's last closed 30m candle`,
  });
  return checks;
};

/**
 * Notifications: every outbox row is delivered (none pending at the end), Telegram accepted at least as many
 * distinct messages as rows were marked delivered (nothing marked without being sent), and repeats stay within
 * the documented in-flight window: at most one message per kill -9.
 */
export const checkNotifications = (
  dbPath: string,
  telegram: ReturnType<typeof startFakeBotApi>,
  kills: number,
  /** Rows created from here on (the "stopping" alert) may stay queued for the next start: kept, not lost. */
  stoppingAt: number,
): Check[] => {
  const db = new Database(dbPath, { readonly: true });
  let enqueued = 0;
  let delivered = 0;
  let deliveredAll = 0;
  try {
    const row = db
      .query(
        "SELECT count(*) AS n, count(delivered_at) AS d, (SELECT count(delivered_at) FROM outbox) AS all_d FROM outbox WHERE created_at < ?",
      )
      .get(stoppingAt) as { n: number; d: number; all_d: number };
    enqueued = row.n;
    delivered = row.d;
    deliveredAll = row.all_d;
  } finally {
    db.close();
  }
  // One accepted send per row (alerts and replies are one text; a signal is one photo with its caption):
  // fewer sends than delivered rows means a row was marked without being sent, more means repeats. Rows
  // created while stopping count too when they did go out.
  const accepted = telegram.delivered().length;
  const repeats = Math.max(0, accepted - deliveredAll);
  return [
    {
      name: "notifications enqueued vs delivered",
      ok: delivered === enqueued && accepted >= deliveredAll,
      detail: `${enqueued} enqueued, ${delivered} marked delivered, ${accepted} sends accepted by Telegram`,
    },
    {
      name: "no duplicate beyond the in-flight window",
      ok: repeats <= kills,
      detail: `${repeats} repeated send(s), ${kills} kill -9 (window: one in-flight message per crash)`,
    },
  ];
};

interface TrendSample {
  /** Seconds since the soak started. */
  readonly t: number;
  readonly value: number;
}

/**
 * No upward trend in one process's samples once settled (its first 15 s or 40 % of its life are skipped: JIT,
 * caches, the heap growing to its working size): the least-squares slope times the observed span must stay
 * within `band` (an absolute floor, or a fraction of the mean). A short (CI) soak only catches a fast leak;
 * `--minutes 10` and more is the real test.
 */
const checkTrend = (
  name: string,
  unit: string,
  samples: readonly TrendSample[],
  band: { readonly floor: number; readonly fraction: number },
  minSamples: number,
): Check => {
  const from = samples[0]?.t ?? 0;
  const life = (samples[samples.length - 1]?.t ?? from) - from;
  const settled = samples.filter((s) => s.t >= from + Math.max(15, life * 0.4));
  const xs = settled.map((s) => s.t / 60);
  const ys = settled.map((s) => s.value);
  const perMin = slope(xs, ys);
  const mean = ys.reduce((a, b) => a + b, 0) / Math.max(1, ys.length);
  const spanMin = xs.length > 1 ? xs[xs.length - 1]! - xs[0]! : 0;
  const ok = settled.length >= minSamples && perMin * spanMin <= Math.max(band.floor, mean * band.fraction);
  return {
    name,
    ok,
    detail: `${settled.length} samples over ${spanMin.toFixed(1)} min, mean ${mean.toFixed(1)} ${unit}, slope ${perMin.toFixed(2)} ${unit}/min`,
  };
};

/** RSS of the last (longest-lived) bot process, sampled every second: growth within 8 % (or 8 MB). */
export const checkRss = (
  samples: readonly { t: number; mb: number; run: number }[],
  lastRun: number,
): Check =>
  checkTrend(
    "RSS has no upward trend",
    "MB",
    samples.filter((s) => s.run === lastRun).map((s) => ({ t: s.t, value: s.mb })),
    { floor: 8, fraction: 0.08 },
    5,
  );

/**
 * The live JavaScript heap of the last bot process after a full GC (the probe's `CHAOS_HEAP_LOG`, every 5 s):
 * growth within 5 % (or 2 MB). Unlike RSS it holds no garbage or allocator slack, so a leak shows plainly.
 */
export const checkHeap = (log: string, t0Wall: number): Check => {
  const rows = log
    .split("\n")
    .map((l) => l.split(" ").map(Number))
    .filter((f) => f.length === 4 && f.every(Number.isFinite)) as [number, number, number, number][];
  const lastPid = rows.at(-1)?.[0];
  const samples = rows
    .filter((r) => r[0] === lastPid)
    .map((r) => ({ t: (r[1] - t0Wall) / 1000, value: r[2] / 1_048_576 }));
  return checkTrend("heap after GC has no upward trend", "MB", samples, { floor: 2, fraction: 0.05 }, 4);
};
