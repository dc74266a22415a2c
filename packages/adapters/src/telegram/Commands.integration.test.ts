/** Commands over long polling against the fake Bot API: owner-only, replies via the outbox, no replay on restart. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  defaultMemoryConfig,
  Memory,
  type MemoryStatus,
  type Notification,
  SignalStore,
  type VirtualTrade,
} from "@signalbot/core";
import {
  anOpenTrade,
  aSignal,
  KeyValueStoreMemory,
  MemoryStoreMemory,
  runTest,
  SignalStoreMemory,
  type SignalStoreMemoryState,
  T0,
} from "@signalbot/core/testing";
import { Effect, Fiber, Layer, References } from "effect";
import { TestClock } from "effect/testing";
import { type FakeBotApi, startFakeBotApi } from "../testing/FakeBotApi.ts";
import { captureLogs } from "../testing/LogCapture.ts";
import { makeBotApiClient } from "./BotApiClient.ts";
import {
  BotControl,
  CONFLICT_RETRY_MS,
  type CommandsConfig,
  OFFSET_KEY,
  parseCommand,
  runCommand,
  runCommandPolling,
  tradeStats,
} from "./Commands.ts";
import { htmlToPlain, toPlain } from "./Message.ts";
import { telegramRateLimits } from "./TelegramNotifier.ts";

const status: MemoryStatus = {
  time: T0,
  trades20: 4,
  winRate20: 0.5,
  models: { continuation: { trades: 3, winRate: 2 / 3 }, reversal: { trades: 1, winRate: 0 } },
  equity: 10_000,
  peakEquity: 10_100,
  drawdownPct: 0.99,
  lossStreak: 0,
  threshold: 75,
  maxSignalsPerDay: 5,
  signalsToday: 1,
  riskPercent: 1,
  cooldowns: [],
  disabledModels: [],
};

const closed = (r: number, model: "continuation" | "reversal" = "continuation"): VirtualTrade => ({
  ...anOpenTrade({ model }),
  status: "closed",
  rMultiple: r,
  pnl: r * 10,
  // Each trade's % is of the account it was sized on: never summed.
  pnlPercent: r,
  closedAt: T0,
});

/** A BotControl that records what it was asked to do. */
const recordingControl = () => {
  const calls: string[] = [];
  const layer = Layer.succeed(
    BotControl,
    BotControl.of({
      status: Effect.sync(() => void calls.push("status")).pipe(Effect.as(status)),
      recentSignals: (n) => Effect.sync(() => void calls.push(`signals(${n})`)).pipe(Effect.as([aSignal()])),
      openTrades: Effect.sync(() => void calls.push("trades")).pipe(Effect.as([anOpenTrade()])),
      closedTrades: (d) =>
        Effect.sync(() => void calls.push(`stats(${d})`)).pipe(
          Effect.as([closed(2), closed(-1), closed(0.02)]),
        ),
      pause: (h) =>
        Effect.sync(() => void calls.push(`pause(${h})`)).pipe(Effect.as({ until: T0 + h * 3_600_000 })),
      resume: Effect.sync(() => void calls.push("resume")),
      universe: Effect.sync(() => void calls.push("universe")).pipe(Effect.as(["BTCUSDT", "ETHUSDT"])),
    }),
  );
  return { calls, layer };
};

const waitFor = async (cond: () => boolean) => {
  while (!cond()) await Bun.sleep(2);
};

let fake: FakeBotApi;
beforeEach(() => {
  fake = startFakeBotApi();
});
afterEach(async () => {
  await fake.stop();
});

describe("Commands over long polling", () => {
  test("obeys the owner's chat only, replies through the outbox, and a restart never replays a command", async () => {
    const control = recordingControl();
    const kv = new Map<string, string>();
    const state = new SignalStoreMemory.State();
    const layer = Layer.mergeAll(
      control.layer,
      SignalStoreMemory.layer(state),
      KeyValueStoreMemory.layer(kv),
    );
    const config: CommandsConfig = { chatId: "100", pollTimeoutSeconds: 5 };
    const client = makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot });
    const start = () => Effect.runFork(runCommandPolling(client, config).pipe(Effect.provide(layer)));

    const first = start();
    fake.pushMessage({ chatId: 100, fromId: 1, text: "/status" });
    fake.pushMessage({ chatId: 999, fromId: 2, text: "/pause 5" }); // a stranger's chat
    fake.pushMessage({ chatId: 100, fromId: 1, text: "hello, not a command" });
    const last = fake.pushMessage({ chatId: 100, fromId: 1, text: "/pause@fake_bot 6" });
    await waitFor(() => kv.get(OFFSET_KEY) === String(last + 1) && state.outbox.length === 2);
    await Effect.runPromise(Fiber.interrupt(first));

    // /status also reads every closed trade, for the bot's own record in R.
    expect(control.calls).toEqual(["status", "stats(36500)", "pause(6)"]);
    const replies = state.outbox.map((r) =>
      r.notification._tag === "Reply" ? htmlToPlain(r.notification.text) : "",
    );
    expect(replies[0]).toContain("Trạng thái bot");
    expect(replies[0]).toContain("Kết quả từ đầu: +0.34R/lệnh (3 lệnh, tổng +1.02R)");
    expect(replies[1]).toBe("⏸️ Đã tạm dừng phát tín hiệu 6 giờ, đến 01/06/2025 13:00 (GMT+7).");

    // Restart: the persisted offset confirms everything already seen; nothing runs twice.
    const polls = fake.received.filter((r) => r.method === "getUpdates").length;
    const second = start();
    await waitFor(() => fake.received.filter((r) => r.method === "getUpdates").length > polls);
    await Effect.runPromise(Fiber.interrupt(second));
    const restartPoll = fake.received.filter((r) => r.method === "getUpdates").at(-1);
    expect(Number(restartPoll?.params.offset)).toBe(last + 1);
    // /status also reads every closed trade, for the bot's own record in R.
    expect(control.calls).toEqual(["status", "stats(36500)", "pause(6)"]);
    expect(state.outbox).toHaveLength(2);
  });

  test("in a group with admin ids, only the admins are obeyed", async () => {
    const control = recordingControl();
    const kv = new Map<string, string>();
    const state = new SignalStoreMemory.State();
    const layer = Layer.mergeAll(
      control.layer,
      SignalStoreMemory.layer(state),
      KeyValueStoreMemory.layer(kv),
    );
    const client = makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot });
    const fiber = Effect.runFork(
      runCommandPolling(client, { chatId: "-100200", adminIds: [7], pollTimeoutSeconds: 5 }).pipe(
        Effect.provide(layer),
      ),
    );
    fake.pushMessage({ chatId: -100200, fromId: 8, text: "/resume" });
    const last = fake.pushMessage({ chatId: -100200, fromId: 7, text: "/universe" });
    await waitFor(() => kv.get(OFFSET_KEY) === String(last + 1) && state.outbox.length === 1);
    await Effect.runPromise(Fiber.interrupt(fiber));
    expect(control.calls).toEqual(["universe"]);
  });
});

/** The in-memory store, telling `onEnqueue` about every queued notification (the loop's last step before it waits). */
const observedStore = (state: SignalStoreMemoryState, onEnqueue: (n: Notification) => void) =>
  Layer.effect(
    SignalStore,
    Effect.map(Effect.service(SignalStore), (s) =>
      SignalStore.of({
        ...s,
        enqueue: (n) => Effect.tap(s.enqueue(n), () => Effect.sync(() => onEnqueue(n))),
      }),
    ),
  ).pipe(Layer.provide(SignalStoreMemory.layer(state)));

describe("commands that must not be obeyed as sent", () => {
  const setup = (config: CommandsConfig) => {
    const control = recordingControl();
    const kv = new Map<string, string>();
    const state = new SignalStoreMemory.State();
    const logs = captureLogs();
    const layer = Layer.mergeAll(
      control.layer,
      SignalStoreMemory.layer(state),
      KeyValueStoreMemory.layer(kv),
      logs.layer,
    );
    const client = makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot });
    const fiber = Effect.runFork(runCommandPolling(client, config).pipe(Effect.provide(layer)));
    const replies = () =>
      state.outbox.map((r) => (r.notification._tag === "Reply" ? htmlToPlain(r.notification.text) : ""));
    const until = (last: number, replyCount: number) =>
      waitFor(() => kv.get(OFFSET_KEY) === String(last + 1) && state.outbox.length >= replyCount);
    return {
      control,
      replies,
      lines: logs.lines,
      until,
      stop: () => Effect.runPromise(Fiber.interrupt(fiber)),
    };
  };

  test("in a group, a command addressed to another bot is ignored; one addressed to us is obeyed", async () => {
    const t = setup({ chatId: "-100200", pollTimeoutSeconds: 5 });
    fake.pushMessage({ chatId: -100200, fromId: 1, text: "/status@SomeOtherBot" });
    fake.pushMessage({ chatId: -100200, fromId: 1, text: "/universe@Fake_Bot" });
    const last = fake.pushMessage({ chatId: -100200, fromId: 1, text: "/trades" });
    await t.until(last, 2);
    await t.stop();
    expect(t.control.calls).toEqual(["universe", "trades"]);
  });

  test("40 /help in a row: 5 answered, one 'too fast' answer, the rest dropped without a line each", async () => {
    const t = setup({ chatId: "100", pollTimeoutSeconds: 5 });
    let last = 0;
    for (let i = 0; i < 40; i++) last = fake.pushMessage({ chatId: 100, fromId: 1, text: "/help" });
    await t.until(last, 6);
    await t.stop();
    const replies = t.replies();
    expect(replies).toHaveLength(6);
    expect(replies.slice(0, 5).every((r) => r.includes("Các lệnh của bot"))).toBe(true);
    expect(replies[5]).toStartWith("⏳ Bạn gửi lệnh quá nhanh: tối đa 5 lệnh mỗi phút.");
    expect(t.lines.filter((l) => l.includes("/help")).length).toBe(5);
    expect(t.lines.filter((l) => l.includes("over 5 per minute"))).toHaveLength(1);
  });

  test("a 9 KB command: one short log line and one short answer, its name cut", async () => {
    const t = setup({ chatId: "100", pollTimeoutSeconds: 5 });
    const huge = `/${"a".repeat(9000)} ${"b".repeat(200)}`;
    const last = fake.pushMessage({ chatId: 100, fromId: 1, text: huge });
    await t.until(last, 1);
    await t.stop();
    const [answer, ...more] = t.replies();
    expect(more).toEqual([]);
    expect(answer).toBe(`❓ Không hiểu lệnh “/${"a".repeat(32)}…”. Gõ /help để xem danh sách lệnh.`);
    const logged = t.lines.filter((l) => l.includes("aaaa"));
    expect(logged).toHaveLength(1);
    expect(logged[0]!.length).toBeLessThan(120);
  });
});

describe("getUpdates 409: another process polls with this token", () => {
  test("one alert per conflict, polling goes on every 30 s and resumes when the other process stops", async () => {
    const CONFLICT =
      "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
    const state = new SignalStoreMemory.State();
    // The loop's last step before each 30 s wait: an alert and a line (first 409) or a debug line (the next).
    const queued: Notification[] = [];
    const logs = captureLogs();
    const nextWait = () => logs.next((l) => l.includes("409"));
    const layer = Layer.mergeAll(
      recordingControl().layer,
      observedStore(state, (n) => queued.push(n)),
      KeyValueStoreMemory.layer(new Map()),
      TestClock.layer(),
      logs.layer,
    );
    const client = makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot });
    fake.fail({ method: "getUpdates", status: 409, description: CONFLICT, times: 3 });
    await Effect.runPromise(
      Effect.gen(function* () {
        const first = nextWait();
        const loop = yield* Effect.forkChild(
          runCommandPolling(client, { chatId: "100", pollTimeoutSeconds: 1 }),
        );
        yield* first;
        for (let i = 0; i < 2; i++) {
          const next = nextWait();
          yield* TestClock.adjust(CONFLICT_RETRY_MS);
          yield* next;
        }
        // The other process stopped: the fourth poll goes through and commands are obeyed again.
        yield* TestClock.adjust(CONFLICT_RETRY_MS);
        const id = fake.pushMessage({ chatId: 100, fromId: 1, text: "/help" });
        yield* Effect.promise(() => fake.whenReceived(5, "getUpdates"));
        const offset = Number(fake.received.filter((r) => r.method === "getUpdates").at(-1)?.params.offset);
        // A new conflict later is a new episode: a new alert.
        const again = nextWait();
        fake.fail({ method: "getUpdates", status: 409, description: CONFLICT });
        fake.pushMessage({ chatId: 100, fromId: 1, text: "/help" }); // ends the poll in flight
        yield* again;
        yield* Fiber.interrupt(loop);
        expect(offset).toBe(id + 1);
      }).pipe(Effect.provide(layer), Effect.provideService(References.MinimumLogLevel, "Debug")),
    );
    expect(queued.map((n) => (n._tag === "Alert" ? n.alert.kind : n._tag))).toEqual([
      "telegramConflict",
      "Reply",
      "Reply",
      "telegramConflict",
    ]);
    expect(logs.lines.filter((l) => l.includes("409")).map((w) => w.slice(0, 60))).toEqual([
      "telegram: another process is polling with this bot token (ge",
      "telegram: getUpdates still 409, retrying in 30 s",
      "telegram: getUpdates still 409, retrying in 30 s",
      "telegram: another process is polling with this bot token (ge",
    ]);
  });
});

describe("command replies", () => {
  const reply = async (text: string) => {
    const control = recordingControl();
    const doc = await Effect.runPromise(runCommand(parseCommand(text)!).pipe(Effect.provide(control.layer)));
    return { text: toPlain(doc), calls: control.calls };
  };

  test("parseCommand strips the bot name and splits arguments", () => {
    expect(parseCommand("/signals@My_Bot 10")).toEqual({
      name: "signals",
      args: ["10"],
      addressedTo: "my_bot",
    });
    expect(parseCommand(`/${"x".repeat(9000)}`)?.name).toBe(`${"x".repeat(32)}…`);
    expect(parseCommand("  /HELP ")).toEqual({ name: "help", args: [] });
    expect(parseCommand("hello")).toBeUndefined();
  });

  test("/help lists every command", async () => {
    const { text } = await reply("/help");
    for (const c of ["/status", "/signals", "/trades", "/stats", "/pause", "/resume", "/universe", "/help"])
      expect(text).toContain(c);
  });

  test("/signals, /trades, /stats, /universe, /resume answer in Vietnamese", async () => {
    expect((await reply("/signals 3")).calls).toEqual(["signals(3)"]);
    expect((await reply("/signals")).text).toContain("🟢 BTCUSDT LONG · Tiếp diễn xu hướng · 80 điểm");
    expect((await reply("/trades")).text).toContain("1 lệnh ảo đang mở");
    const stats = await reply("/stats 30");
    expect(stats.calls).toEqual(["stats(30)"]);
    expect(stats.text).toContain("Lệnh đã đóng: 3 (1 thắng, 1 thua, 1 hòa vốn)");
    expect(stats.text).toContain("Tỉ lệ thắng: 50%");
    // Money and R add up; percentages of different accounts do not.
    expect(stats.text).toContain("Tổng kết quả: +1.02R");
    expect(stats.text).toContain("Lãi/lỗ cộng dồn: +10.20 USDT");
    expect(stats.text).toContain("• Tiếp diễn xu hướng: 3 lệnh, thắng 50%, +1.02R");
    expect(stats.text).not.toContain("%)");
    expect((await reply("/universe")).text).toContain("BTCUSDT, ETHUSDT");
    expect((await reply("/resume")).text).toBe("▶️ Đã tiếp tục phát tín hiệu.");
  });

  test("bad arguments and unknown commands get a helpful answer and do nothing", async () => {
    const bad = await reply("/pause abc");
    expect(bad.calls).toEqual([]);
    expect(bad.text).toContain("số giờ phải là số nguyên");
    expect((await reply("/signals 500")).calls).toEqual([]);
    expect((await reply("/foo")).text).toBe("❓ Không hiểu lệnh “/foo”. Gõ /help để xem danh sách lệnh.");
  });

  test("numbers are parsed strictly: hex, exponents, decimals, signs and extra arguments get the usage", async () => {
    for (const text of ["/stats 0x10", "/stats 1e1", "/stats 7.0", "/stats +7", "/stats 7 8", "/stats ７"]) {
      const r = await reply(text);
      expect(r.calls).toEqual([]);
      expect(r.text).toBe("❓ Cách dùng: /stats [ngày] — số ngày phải là số nguyên từ 1 đến 365.");
    }
    expect((await reply("/stats 16")).calls).toEqual(["stats(16)"]);
    expect((await reply("/signals 0x3")).text).toStartWith("❓ Cách dùng: /signals [số]");
    expect((await reply("/pause 1e2")).text).toStartWith("❓ Cách dùng: /pause [giờ]");
  });

  test("tradeStats leaves break-evens out of the win rate", () => {
    const s = tradeStats([closed(2), closed(-1), closed(0.02), closed(1.5, "reversal")]);
    expect(s).toMatchObject({ trades: 4, wins: 2, losses: 1, breakevens: 1, winRate: 2 / 3 });
    expect(s.byModel.reversal).toEqual({ trades: 1, winRate: 1, totalR: 1.5 });
  });
});

describe("BotControl.layerFromCore", () => {
  test("status, pause and resume go through Memory; signals and trades through the store", async () => {
    const layer = BotControl.layerFromCore(Effect.succeed(["BTCUSDT"])).pipe(
      Layer.provideMerge(Memory.layer(defaultMemoryConfig)),
      Layer.provideMerge(Layer.mergeAll(SignalStoreMemory.layer(), MemoryStoreMemory.layer())),
    );
    const r = await runTest(
      Effect.gen(function* () {
        const control = yield* BotControl;
        const store = yield* SignalStore;
        yield* store.emit({
          signal: aSignal(),
          trade: anOpenTrade(),
          notification: { _tag: "Reply", text: "x", time: 0 },
        });
        const paused = yield* control.pause(6);
        const status = yield* control.status;
        yield* control.resume;
        return {
          paused,
          status,
          after: yield* control.status,
          signals: yield* control.recentSignals(5),
          trades: yield* control.openTrades,
          universe: yield* control.universe,
        };
      }),
      layer,
      { at: T0 + 3_600_000 },
    );
    expect(r.paused.until).toBe(T0 + 7 * 3_600_000);
    expect(r.status.pausedUntil).toBe(T0 + 7 * 3_600_000);
    expect(r.status.signalsToday).toBe(1);
    expect(r.after.pausedUntil).toBeUndefined();
    expect(r.signals).toHaveLength(1);
    expect(r.trades).toHaveLength(1);
    expect(r.universe).toEqual(["BTCUSDT"]);
  });
});

test("telegramRateLimits: 1/s per chat, and 20/min in a group", () => {
  expect(telegramRateLimits("12345")).toEqual({ minIntervalMs: 1000 });
  expect(telegramRateLimits("-100200")).toEqual({ minIntervalMs: 1000, maxPerMinute: 20 });
  expect(telegramRateLimits("-100200", { minIntervalMs: 1500, maxPerMinute: 10 })).toEqual({
    minIntervalMs: 1500,
    maxPerMinute: 10,
  });
});
