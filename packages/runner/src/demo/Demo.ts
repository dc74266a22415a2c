/**
 * `bun run demo`, as a function: the real bot, end to end, without Binance or Telegram. A loopback fake exchange
 * replays the committed klines (real prices, real tick and lot sizes) at high speed and a fake Bot API receives
 * the messages; the bot runs unchanged (same AppLayer, same loop, Telegram notifier) with a 1,000 USDT virtual
 * account. Prints, in Vietnamese, every message as the owner would get it, saves each chart under `outDir` with
 * a chat-like page of the whole conversation, and ends with a summary read from the bot's own database.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import * as Sqlite from "@signalbot/adapters/sqlite";
import type { BotApiClient } from "@signalbot/adapters/telegram";
import {
  formatNumber,
  formatSigned,
  formatTime,
  htmlToPlain,
  phraseReason,
  summarize,
  type TradeSummary,
} from "@signalbot/adapters/telegram";
import type { ReceivedRequest } from "@signalbot/adapters/testing";
import { type Reason, SignalStore } from "@signalbot/core";
import { Effect } from "effect";
import { Simulation, TELEGRAM_CHAT_ID } from "../live/Simulation.ts";
import { makeLogger } from "../observability/Log.ts";
import { type TranscriptEntry, transcriptHtml } from "./Transcript.ts";

export const DEMO_START = Date.UTC(2025, 0, 6, 0, 0);
export const DEMO_DAYS = 21;
export const DEMO_BALANCE = 1000;
const DAY = 86_400_000;
const TIME_ZONE = "Asia/Ho_Chi_Minh";
/** The commands the demo types at the end, as the owner would. */
const OWNER_COMMANDS = ["/status", "/profit", "/performance"] as const;

export interface DemoOptions {
  /** Market days replayed (default 21). */
  readonly days?: number;
  /** Market time at start, ms UTC on a 30m boundary (default 2025-01-06, inside the fixtures). */
  readonly start?: number;
  /** Where the charts and `telegram.html` go. */
  readonly outDir: string;
  /** One line of output (default: standard output). */
  readonly write?: (line: string) => void;
  /**
   * `--dashboard`: after the fast replay the bot keeps running for its dashboard, the market moving one 30m
   * candle every `candleEveryMs`, until `signal` aborts (Ctrl+C).
   */
  readonly keepRunning?: { readonly signal: AbortSignal; readonly candleEveryMs: number };
  /** Print the bot's own log lines too (English, for developers). */
  readonly log?: boolean;
  /**
   * Also send every message to this real chat (`--telegram`), framed by a note that it is a replay of old
   * candles, 1.1 s apart (Telegram allows about one message per second per chat).
   */
  readonly forward?: {
    readonly client: BotApiClient;
    readonly chatId: string;
    /** Gap between two messages, ms (default 1100). */
    readonly intervalMs?: number;
  };
}

export interface DemoReport {
  readonly exitCode: number;
  readonly emitted: number;
  /** Blocked setups by reason code: how many, and one of them (its data phrases the reason). */
  readonly blocked: ReadonlyMap<string, { readonly count: number; readonly example: Reason }>;
  readonly closed: TradeSummary;
  readonly openAtEnd: number;
  /** Chart files written, in order. */
  readonly charts: readonly string[];
  readonly transcript: string;
  /** Accepted Bot API calls by method (sendMessage, sendPhoto, setMyCommands...). */
  readonly telegram: ReadonlyMap<string, number>;
  readonly seconds: number;
}

/** Earlier demo output in `dir` (only files the demo writes: numbered charts and the page). */
const clearOutput = (dir: string): void => {
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir))
    if (/^\d{2,}-[A-Z0-9]+-(LONG|SHORT)\.png$/.test(f) || f === "telegram.html") rmSync(join(dir, f));
};

const shown = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
};

export const runDemo = async (options: DemoOptions): Promise<DemoReport> => {
  const days = options.days ?? DEMO_DAYS;
  const start = options.start ?? DEMO_START;
  const out = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const outDir = options.outDir;
  mkdirSync(outDir, { recursive: true });
  clearOutput(outDir);
  const dbDir = mkdtempSync(join(tmpdir(), "signalbot-demo-"));
  const dbPath = join(dbDir, "signalbot.db");
  const sim = new Simulation({ startTime: start, generatedSymbols: 0 });
  const at = () => formatTime(sim.exchange.now(), TIME_ZONE);
  const log = makeLogger({
    level: "info",
    format: "pretty",
    secrets: [],
    now: () => sim.exchange.now(),
    write: (line) => {
      if (options.log === true) out(`  nhật ký │ ${line}`);
    },
  });

  const charts: string[] = [];
  const entries: TranscriptEntry[] = [];
  let seen = 0;
  // Messages for the real chat, sent one after another while the replay runs.
  let forwarding: Promise<void> = Promise.resolve();
  let forwarded = 0;
  const forward = (html: string, png?: Uint8Array) => {
    const f = options.forward;
    if (f === undefined) return;
    forwarding = forwarding.then(async () => {
      const sent = await Effect.runPromise(
        Effect.result(
          png === undefined ? f.client.sendMessage(f.chatId, html) : f.client.sendPhoto(f.chatId, png, html),
        ),
      );
      if (sent._tag === "Success") forwarded++;
      else out(`   ⚠️ Không gửi được tới Telegram của bạn: ${sent.failure.message}`);
      await Bun.sleep(f.intervalMs ?? 1100);
    });
  };
  const showMessages = () => {
    const sent: readonly ReceivedRequest[] = sim.telegram.delivered();
    for (; seen < sent.length; seen++) {
      const r = sent[seen]!;
      const html = String(r.params.text ?? r.params.caption ?? "");
      const png = r.method === "sendPhoto" ? Object.values(r.files)[0]?.bytes : undefined;
      out(png === undefined ? "📨 Telegram:" : "📨 Telegram (kèm biểu đồ):");
      for (const l of htmlToPlain(html).split("\n")) out(`   │ ${l}`);
      let photo: string | undefined;
      if (png !== undefined) {
        const head = /(LONG|SHORT) <b>([A-Z0-9]+)<\/b>/.exec(html);
        photo = `${String(charts.length + 1).padStart(2, "0")}-${head?.[2] ?? "SIGNAL"}-${head?.[1] ?? "LONG"}.png`;
        const file = join(outDir, photo);
        writeFileSync(file, png);
        charts.push(file);
        out(`   🖼  Biểu đồ đã lưu: ${shown(file)}`);
      }
      entries.push({ at: at(), html, ...(photo === undefined ? {} : { photo }) });
      forward(html, png);
    }
  };

  out(`signalbot — chạy thử: bot thật với sàn Binance giả và Telegram giả trên máy này (127.0.0.1)`);
  out(
    `  Nến thật của ${formatTime(start, "UTC").slice(0, 10)}, ${days} ngày thị trường chạy nhanh; vốn ảo ${formatNumber(DEMO_BALANCE, 0)} USDT, rủi ro 1% mỗi lệnh.`,
  );
  out("  Không cần mạng, tài khoản sàn hay Telegram. Bot không đặt lệnh thật.");
  if (options.forward !== undefined) {
    out("  Mọi tin nhắn cũng được gửi tới Telegram của bạn (--telegram).");
    forward(
      `🧪 <b>Chạy thử</b>: các tin nhắn sau là bot chạy trên nến thật từ ${formatTime(start, "UTC").slice(0, 10)}, tua nhanh ${days} ngày — không phải tín hiệu hiện tại.`,
    );
  }
  const started = performance.now();
  try {
    const bot = await sim.startBot(
      sim.env(dbPath, {
        FIXED_SYMBOLS: "BTCUSDT,ETHUSDT,SOLUSDT",
        MAX_SYMBOLS_SUBSCRIBED: "8",
        ROTATION_SLOT_SECONDS: "43200",
        STARTING_BALANCE: String(DEMO_BALANCE),
        TIMEZONE: TIME_ZONE,
      }),
      log,
    );
    out(
      `  Khởi động: ${bot.handle.symbols.view().active.length} mã × 3 khung × 499 nến trong ${((performance.now() - started) / 1000).toFixed(1)} giây`,
    );
    const dashboard = `http://127.0.0.1:${bot.handle.httpPort}/`;
    out(
      `  Bảng điều khiển: ${dashboard} (mở trong trình duyệt${options.keepRunning === undefined ? "; thêm --dashboard để bot chạy tiếp sau phần chạy nhanh" : ""})`,
    );
    const end = start + days * DAY;
    let day = -1;
    while (sim.exchange.now() < end) {
      await sim.step();
      showMessages();
      const d = Math.floor((sim.exchange.now() - start) / DAY);
      if (d !== day) {
        day = d;
        out(
          `── ${at()} · ${String(bot.handle.health().openTrades)} lệnh ảo đang mở · theo dõi: ${bot.handle.symbols.view().active.join(", ")}`,
        );
      }
    }
    for (const command of OWNER_COMMANDS) {
      out(`👤 Chủ bot gõ ${command}`);
      entries.push({ at: at(), html: command, fromOwner: true });
      const before = sim.telegram.delivered().length;
      sim.telegram.pushMessage({ chatId: Number(TELEGRAM_CHAT_ID), fromId: 1, text: command });
      await sim.until(() => sim.telegram.delivered().length > before, `the ${command} reply`);
      showMessages();
    }
    const keep = options.keepRunning;
    if (keep !== undefined && !keep.signal.aborted) {
      out(
        `  Bot vẫn chạy cho bảng điều khiển ${dashboard}: thị trường đi tiếp mỗi ${keep.candleEveryMs / 1000} giây một nến 30m. Ctrl+C để dừng.`,
      );
      while (!keep.signal.aborted) {
        await new Promise((resolve) => {
          const t = setTimeout(resolve, keep.candleEveryMs);
          keep.signal.addEventListener("abort", () => resolve(clearTimeout(t)), { once: true });
        });
        if (!keep.signal.aborted) await sim.step();
        showMessages();
      }
    }
    const openAtEnd = Number(bot.handle.health().openTrades);
    const exitCode = await bot.stop();
    showMessages();
    if (options.forward !== undefined) {
      forward("🧪 <b>Hết phần chạy thử.</b> Chạy <code>bun run start</code> để nhận tín hiệu thật.");
      await forwarding;
      out(`  Đã gửi ${forwarded} tin nhắn tới Telegram của bạn.`);
    }

    const stored = await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* SignalStore;
        return { signals: yield* store.recentSignals(100_000), closed: yield* store.closedTrades(0) };
      }).pipe(Effect.provide(Sqlite.layer({ path: dbPath }))),
    );
    const blocked = new Map<string, { count: number; example: Reason }>();
    for (const s of stored.signals)
      if (s.status === "blocked" && s.blockedBy !== undefined) {
        const b = blocked.get(s.blockedBy.code);
        blocked.set(s.blockedBy.code, { count: (b?.count ?? 0) + 1, example: b?.example ?? s.blockedBy });
      }
    const transcript = join(outDir, "telegram.html");
    writeFileSync(
      transcript,
      transcriptHtml(
        "signalbot (chạy thử)",
        `Binance giả, nến thật từ ${formatTime(start, "UTC").slice(0, 10)}, ${days} ngày`,
        entries,
      ),
    );
    const telegram = new Map<string, number>();
    for (const r of sim.telegram.received)
      if (r.status === 200 && r.method !== "getUpdates")
        telegram.set(r.method, (telegram.get(r.method) ?? 0) + 1);
    const report: DemoReport = {
      exitCode,
      emitted: stored.signals.filter((s) => s.status === "emitted").length,
      blocked,
      closed: summarize(stored.closed),
      openAtEnd,
      charts,
      transcript,
      telegram,
      seconds: (performance.now() - started) / 1000,
    };
    printSummary(report, days, out);
    return report;
  } finally {
    await sim.close();
    rmSync(dbDir, { recursive: true, force: true });
  }
};

const printSummary = (r: DemoReport, days: number, out: (line: string) => void): void => {
  const c = r.closed;
  const messages = (r.telegram.get("sendMessage") ?? 0) + (r.telegram.get("sendPhoto") ?? 0);
  out("");
  out(`Tóm tắt: ${days} ngày thị trường trong ${r.seconds.toFixed(1)} giây`);
  out(
    `  Tín hiệu đã phát: ${r.emitted} · thiết lập bị chặn: ${[...r.blocked.values()].reduce((a, b) => a + b.count, 0)}`,
  );
  for (const [, b] of [...r.blocked].sort((a, b) => b[1].count - a[1].count))
    out(`     • ${b.count} lần, ví dụ: ${phraseReason(b.example, { timeZone: TIME_ZONE })}`);
  out(
    `  Lệnh ảo đã đóng: ${c.trades} (${c.wins} thắng, ${c.losses} thua, ${c.breakevens} hòa vốn), tổng ${formatSigned(c.totalR)}R, ${formatSigned(c.pnl)} USDT; còn mở: ${r.openAtEnd}`,
  );
  out(
    `  Tin nhắn Telegram: ${messages} (${r.telegram.get("sendPhoto") ?? 0} kèm biểu đồ); danh sách lệnh “/” đã đăng ký: ${r.telegram.has("setMyCommands") ? "có" : "không"}`,
  );
  out(`  Biểu đồ đã lưu (${r.charts.length} tệp): ${r.charts.map(shown).join(", ") || "không có"}`);
  out(`  Xem lại cả cuộc trò chuyện như trong Telegram: mở ${shown(r.transcript)} bằng trình duyệt`);
  out("  Tiếp theo: bun run telegram-setup để nối bot Telegram của bạn, rồi bun run start");
};
