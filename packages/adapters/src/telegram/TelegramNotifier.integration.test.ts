/** TelegramNotifier against the loopback fake Bot API, alone and behind the outbox worker. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  continuationModel,
  DEFAULT_MODELS,
  makeOutboxWorker,
  type Notification,
  Notifier,
  SignalStore,
} from "@signalbot/core";
import { aQuietModel, aSignal, loadKlines, SignalStoreMemory } from "@signalbot/core/testing";
import { Clock, Effect, Fiber, Layer, References } from "effect";
import { TestClock } from "effect/testing";
import { FIXTURE_KLINES_DIR } from "../../../../fixtures/index.ts";
import type { ChartInput } from "../chart/CandleChart.ts";
import { type FakeBotApi, startFakeBotApi } from "../testing/FakeBotApi.ts";
import { captureLogs } from "../testing/LogCapture.ts";
import { makeBotApiClient } from "./BotApiClient.ts";
import { MAX_CAPTION } from "./Message.ts";
import { makeTelegramNotifier, type TelegramNotifierConfig } from "./TelegramNotifier.ts";

let fake: FakeBotApi;
let config: TelegramNotifierConfig;
beforeEach(() => {
  fake = startFakeBotApi();
  config = { token: fake.token, chatId: "4242", apiRoot: fake.apiRoot, partIntervalMs: 0 };
});
afterEach(async () => {
  await fake.stop();
});

const candles = loadKlines("BTCUSDT", "30m", FIXTURE_KLINES_DIR).slice(0, 200);
const entry = candles[candles.length - 1]!.close;
const signal = aSignal({
  symbol: "BTCUSDT",
  entry,
  stop: entry * 0.99,
  targets: [entry * 1.01, entry * 1.02, entry * 1.03],
  reasons: [
    { code: "dailyBias", data: { timeframe: "1d", ema: 50, distanceAtr: 1.2 } },
    { code: "trendAligned", data: { timeframe: "4h", adx: 31 } },
    { code: "pullbackResumed", data: { ema: 21 } },
    { code: "momentum", data: { rsi: 61, roc: 0.7 } },
    { code: "volumeAboveAverage", data: { ratio: 1.8 } },
  ],
});
const info = { symbol: "BTCUSDT", tickSize: "0.10", stepSize: "0.001", minNotional: 100 };
const newSignal: Notification = { _tag: "NewSignal", signal, info, candles };
const reply = (text: string): Notification => ({ _tag: "Reply", text, time: 1 });

const deliver = (n: Notification, notifier = makeTelegramNotifier(config)) =>
  Effect.runPromise(Effect.result(notifier.deliver(n)));

describe("TelegramNotifier", () => {
  test("a new signal goes out as a PNG chart with its message as the HTML caption", async () => {
    const r = await deliver(newSignal);
    expect(r._tag).toBe("Success");
    const [photo, ...rest] = fake.delivered();
    expect(rest).toEqual([]);
    expect(photo?.method).toBe("sendPhoto");
    expect(photo?.params.chat_id).toBe("4242");
    expect(photo?.params.parse_mode).toBe("HTML");
    expect([...(photo?.files.photo?.bytes.slice(0, 4) ?? [])]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const caption = String(photo?.params.caption);
    expect(caption.length).toBeLessThanOrEqual(MAX_CAPTION);
    expect(caption).toContain("🟢 MUA / LONG <b>BTCUSDT</b>");
    expect(caption).toContain("<b>Lý do</b>");
  });

  test("a signal message longer than a caption: the levels go with the photo, the reasons follow as text", async () => {
    const reasons = Array.from({ length: 12 }, (_, i) => ({ code: `extraCheck${i}`, data: { value: i } }));
    const long: Notification = {
      _tag: "NewSignal",
      signal: { ...signal, setup: { ...signal.setup, reasons: [...signal.setup.reasons, ...reasons] } },
      info,
      candles,
    };
    expect((await deliver(long))._tag).toBe("Success");
    const [photo, ...rest] = fake.delivered();
    const caption = String(photo?.params.caption);
    expect(photo?.method).toBe("sendPhoto");
    expect(caption.length).toBeLessThanOrEqual(MAX_CAPTION);
    expect(caption).toContain("TP3");
    expect(caption).not.toContain("Lý do");
    expect(rest.map((m) => m.method)).toEqual(["sendMessage"]);
    expect(String(rest[0]?.params.text)).toStartWith("<b>Lý do</b>");
  });

  test("the chart draws the lines of the model that fired, named by its label; a custom model's too", async () => {
    const drawn: ChartInput[] = [];
    const chart = (input: ChartInput) => {
      drawn.push(input);
      return new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    };
    expect((await deliver(newSignal, makeTelegramNotifier(config, { chart })))._tag).toBe("Success");
    expect(drawn[0]?.subtitle).toBe("Tiếp diễn xu hướng");
    expect(drawn[0]?.lines?.map((l) => l.name)).toEqual(
      continuationModel.chartLines?.(candles).map((l) => (typeof l.name === "string" ? l.name : l.name.vi)),
    );
    const channel = aQuietModel("channel", {
      label: { vi: "Kênh giá", en: "Channel" },
      chartLines: (cs) => [{ name: "Đỉnh kênh", values: cs.map((c) => c.high) }],
      phrases: { channelBroken: () => "Giá vượt đỉnh kênh" },
    });
    const custom: Notification = {
      ...newSignal,
      signal: {
        ...signal,
        setup: { ...signal.setup, model: "channel", reasons: [{ code: "channelBroken" }] },
      },
    } as Notification;
    const notifier = makeTelegramNotifier({ ...config, models: [...DEFAULT_MODELS, channel] }, { chart });
    expect((await deliver(custom, notifier))._tag).toBe("Success");
    expect(drawn[1]?.subtitle).toBe("Kênh giá");
    expect(drawn[1]?.lines?.map((l) => [l.name, l.values.length])).toEqual([["Đỉnh kênh", candles.length]]);
    const caption = String(fake.delivered().at(-1)?.params.caption);
    expect(caption).toContain("Mô hình: Kênh giá");
    expect(caption).toContain("Giá vượt đỉnh kênh");
  });

  test("when the chart cannot be drawn the signal is sent as text", async () => {
    const notifier = makeTelegramNotifier(config, {
      chart: () => {
        throw new Error("resvg exploded");
      },
    });
    const r = await deliver(newSignal, notifier);
    expect(r._tag).toBe("Success");
    expect(fake.delivered().map((m) => m.method)).toEqual(["sendMessage"]);
    expect(String(fake.delivered()[0]?.params.text)).toContain("Giá vào: <code>");
  });

  test("text over 4096 characters is split at line boundaries", async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `Dòng số ${i}: ${"•".repeat(20)}`);
    const r = await deliver(reply(lines.join("\n")));
    expect(r._tag).toBe("Success");
    const sent = fake.delivered().map((m) => String(m.params.text));
    expect(sent.length).toBeGreaterThan(1);
    for (const s of sent) expect(s.length).toBeLessThanOrEqual(4096);
    expect(sent.join("\n")).toBe(lines.join("\n"));
  });

  test("429 → rateLimited with retry_after, 5xx and network → transient, a refused chat → blocked, other 4xx → permanent; no token", async () => {
    fake.fail({ status: 429, retryAfter: 12 });
    fake.fail({ status: 503 });
    fake.fail({ status: 403 });
    fake.fail({ status: 400, description: "Bad Request: can't parse entities" });
    const results = [
      await deliver(reply("a")),
      await deliver(reply("b")),
      await deliver(reply("c")),
      await deliver(reply("e")),
    ];
    await fake.stop();
    results.push(await deliver(reply("d")));
    const errors = results.map((r) => (r._tag === "Failure" ? r.failure : undefined));
    expect(errors.map((e) => e?.reason)).toEqual([
      "rateLimited",
      "transient",
      "blocked",
      "permanent",
      "transient",
    ]);
    expect(errors[0]?.retryAfterMs).toBe(12_000);
    for (const e of errors) expect(e?.message).not.toContain(fake.token.split(":")[1]!);
  });

  test("a retry of a split message resumes after the parts Telegram already accepted", async () => {
    const notifier = makeTelegramNotifier(config);
    const text = Array.from({ length: 3 }, (_, i) => `${i}`.repeat(4000)).join("\n");
    fake.fail({ status: 502, times: 1 });
    // part 1 fails → nothing accepted; retry sends 1, then 2 fails; retry sends 2 and 3.
    const first = await deliver(reply(text), notifier);
    expect(first._tag).toBe("Failure");
    const second = await Effect.runPromise(
      Effect.result(
        Effect.sync(() => fake.fail({ status: 502, times: 1 })).pipe(
          Effect.andThen(notifier.deliver(reply(text))),
          Effect.catch(() => notifier.deliver(reply(text))),
        ),
      ),
    );
    expect(second._tag).toBe("Success");
    expect(fake.delivered().map((m) => String(m.params.text)[0])).toEqual(["0", "1", "2"]);
  });

  test("behind the outbox worker: failures are retried and everything arrives once, in order", async () => {
    fake.fail({ status: 502, times: 2 });
    fake.fail({ status: 429, retryAfter: 1 });
    const state = new SignalStoreMemory.State();
    const layer = Layer.mergeAll(
      SignalStoreMemory.layer(state),
      Layer.succeed(Notifier, makeTelegramNotifier(config)),
    );
    const left = await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* SignalStore;
        for (let i = 1; i <= 5; i++) yield* store.enqueue(reply(`tin nhắn ${i} <ok> & xong`));
        return yield* makeOutboxWorker({ minIntervalMs: 5, baseBackoffMs: 10 }).drain(10_000);
      }).pipe(Effect.provide(layer)),
    );
    expect(left).toBe(0);
    expect(fake.delivered().map((m) => m.params.text)).toEqual(
      Array.from({ length: 5 }, (_, i) => `tin nhắn ${i + 1} <ok> & xong`),
    );
  });

  test("one request Telegram never answers delays the outbox by its bound only: retried, nothing lost, order kept", async () => {
    fake.hang({ method: "sendMessage", times: 1 });
    const state = new SignalStoreMemory.State();
    // The request bound is measured on the test clock (by default it is the wall clock).
    const notifier = Layer.effect(
      Notifier,
      Effect.map(Effect.service(Clock.Clock), (clock) =>
        makeTelegramNotifier(config, {
          client: makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot, deadlineClock: clock }),
        }),
      ),
    );
    const layer = Layer.mergeAll(SignalStoreMemory.layer(state), notifier).pipe(
      Layer.provideMerge(TestClock.layer()),
    );
    const texts = await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* SignalStore;
        for (let i = 1; i <= 3; i++) yield* store.enqueue(reply(`m${i}`));
        const worker = yield* Effect.forkChild(makeOutboxWorker({ minIntervalMs: 0, baseBackoffMs: 0 }).run);
        yield* Effect.promise(() => fake.whenHung(1));
        // The first message hangs; 15 s later (test clock) it is aborted and sent again, then the rest follow.
        yield* TestClock.adjust(15_000);
        yield* Effect.promise(() => fake.whenDelivered(3));
        yield* Fiber.interrupt(worker);
        return fake.received.filter((r) => r.method === "sendMessage").map((r) => [r.params.text, r.status]);
      }).pipe(Effect.provide(layer)),
    );
    expect(texts).toEqual([
      ["m1", 0],
      ["m1", 200],
      ["m2", 200],
      ["m3", 200],
    ]);
  });

  test("in a group the limit counts requests: a reply split in 3 parts is 3 of the window's sends", async () => {
    const state = new SignalStoreMemory.State();
    const layer = Layer.mergeAll(
      SignalStoreMemory.layer(state),
      Layer.succeed(Notifier, makeTelegramNotifier(config)),
    );
    const long = (i: number) =>
      Array.from({ length: 3 }, (_, p) => `${i}.${p} ${"x".repeat(4000)}`).join("\n");
    // 5 requests per 400 ms window (Telegram's 20 per minute, shrunk): 4 replies are 12 requests.
    const left = await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* SignalStore;
        for (let i = 1; i <= 4; i++) yield* store.enqueue(reply(long(i)));
        return yield* makeOutboxWorker({ minIntervalMs: 0, maxPerMinute: 5, windowMs: 400 }).drain(10_000);
      }).pipe(Effect.provide(layer)),
    );
    expect(left).toBe(0);
    const at = fake.delivered().map((r) => r.at);
    expect(at).toHaveLength(12);
    // Arrival times carry a little network jitter: check windows a little shorter than the limiter's.
    for (const t of at) expect(at.filter((u) => u >= t && u < t + 380).length).toBeLessThanOrEqual(5);
  });

  test("a wrong chat id, a revoked token, a blocked bot: delivery halts, nothing is dropped, it resumes once fixed", async () => {
    const state = new SignalStoreMemory.State();
    // The worker's last step before each wait is a log line: the test moves the clock only then.
    const logs = captureLogs();
    const nextLine = () => logs.next((l) => l.includes("halted"));
    let marked = 0;
    let allMarked = () => {};
    const everyMarked = new Promise<void>((resolve) => {
      allMarked = resolve;
    });
    const store = Layer.effect(
      SignalStore,
      Effect.map(Effect.service(SignalStore), (s) =>
        SignalStore.of({
          ...s,
          markDelivered: (id) =>
            Effect.tap(s.markDelivered(id), () => Effect.sync(() => ++marked === 3 && allMarked())),
        }),
      ),
    ).pipe(Layer.provide(SignalStoreMemory.layer(state)));
    const layer = Layer.mergeAll(
      store,
      Layer.succeed(Notifier, makeTelegramNotifier(config)),
      TestClock.layer(),
      logs.layer,
    );
    const HALT_RETRY = 300_000;
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* SignalStore;
        for (let i = 1; i <= 3; i++) yield* store.enqueue(reply(`m${i}`));
        const worker = makeOutboxWorker({ minIntervalMs: 0, haltRetryMs: HALT_RETRY });
        const seen: unknown[] = [];
        for (const refusal of [
          { status: 400, description: "Bad Request: chat not found" },
          { status: 401, description: "Unauthorized" },
          { status: 403, description: "Forbidden: bot was blocked by the user" },
        ]) {
          fake.setDown(refusal);
          const line = nextLine();
          const fiber = yield* Effect.forkChild(worker.run);
          yield* line;
          seen.push({ depth: yield* store.outboxDepth, halted: worker.status().halted?.reason });
          yield* Fiber.interrupt(fiber);
        }
        // A start tries at once; then every HALT_RETRY. Still refused: one quiet line each, nothing dropped.
        const started = nextLine();
        const fiber = yield* Effect.forkChild(worker.run);
        yield* started;
        const retried = nextLine();
        yield* TestClock.adjust(HALT_RETRY);
        yield* retried;
        // The owner fixes it: the next periodic try delivers everything, in order.
        fake.setDown(undefined);
        const resumed = nextLine();
        yield* TestClock.adjust(HALT_RETRY);
        yield* resumed;
        yield* Effect.promise(() => everyMarked);
        yield* Fiber.interrupt(fiber);
        return { seen, after: worker.status(), depth: yield* store.outboxDepth };
      }).pipe(Effect.provide(layer), Effect.provideService(References.MinimumLogLevel, "Debug")),
    );
    expect(outcome.seen).toEqual([
      { depth: 3, halted: "sendMessage: 400 Bad Request: chat not found" },
      { depth: 3, halted: "sendMessage: 401 Unauthorized" },
      { depth: 3, halted: "sendMessage: 403 Forbidden: bot was blocked by the user" },
    ]);
    expect(fake.delivered().map((r) => r.params.text)).toEqual(["m1", "m2", "m3"]);
    expect(outcome.after).toEqual({});
    expect(outcome.depth).toBe(0);
    // Three starts refused, one more start and one periodic try still refused: five recorded attempts.
    expect(state.outbox.find((r) => textOf(r.notification) === "m1")?.attempts).toBe(5);
    const halted = logs.lines.filter((l) => l.includes("halted"));
    expect(halted[0]).toContain("outbox: delivery halted, the destination refuses every message");
    expect(halted[0]).toContain("3 notifications kept");
    expect(halted.at(-1)).toStartWith("outbox: delivery resumed after 10 min halted");
    for (const l of logs.lines) expect(l).not.toContain(fake.token.split(":")[1]!);
  });
});

const textOf = (n: Notification) => (n._tag === "Reply" ? n.text : n._tag);
