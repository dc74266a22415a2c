/**
 * Contract test of the Telegram client against the loopback fake Bot API, under Bun: plain JSON bodies, a
 * multipart sendPhoto, long polling with offsets, a clean stop, and error mapping. The second suite is the
 * PROOF for not using telegraf 4.16.3 (the requested stack): it asserts telegraf's broken behaviour under Bun.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Clock, Effect, Exit, Fiber } from "effect";
import { TestClock } from "effect/testing";
import { Telegraf } from "telegraf";
import { type FakeBotApi, startFakeBotApi } from "../testing/FakeBotApi.ts";
import { makeBotApiClient, redact } from "./BotApiClient.ts";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
let fake: FakeBotApi;
beforeEach(() => {
  fake = startFakeBotApi();
});
afterEach(async () => {
  await fake.stop();
});

describe("grammY client (the one we use)", () => {
  test("sendMessage posts plain, uncompressed JSON with HTML parse mode", async () => {
    const client = makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot });
    await Effect.runPromise(client.sendMessage("42", "<b>BTCUSDT</b> &amp; co"));
    const r = fake.received[0]!;
    expect(r.method).toBe("sendMessage");
    expect(r.contentEncoding).toBeUndefined();
    expect(r.contentType).toStartWith("application/json");
    expect(r.params).toMatchObject({ chat_id: "42", text: "<b>BTCUSDT</b> &amp; co", parse_mode: "HTML" });
  });

  test("sendPhoto uploads the PNG as multipart with an HTML caption", async () => {
    const client = makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot });
    await Effect.runPromise(client.sendPhoto("42", PNG, "<b>chart</b>"));
    const r = fake.received[0]!;
    expect(r.contentType).toStartWith("multipart/form-data");
    expect(r.params).toMatchObject({ chat_id: "42", caption: "<b>chart</b>", parse_mode: "HTML" });
    expect([...(r.files.photo?.bytes ?? [])]).toEqual([...PNG]);
  });

  test("long polling returns pushed updates and the offset confirms them", async () => {
    const client = makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot });
    const fiber = Effect.runFork(client.getUpdates(0, 30));
    while (fake.pendingPolls() === 0) await Bun.sleep(1); // wait for the server to hold the poll
    const id = fake.pushMessage({ chatId: 7, fromId: 8, text: "/status" });
    const updates = await Effect.runPromise(Fiber.join(fiber));
    expect(updates.map((u) => [u.update_id, u.message?.text, u.message?.from?.id])).toEqual([
      [id, "/status", 8],
    ]);
    const after = await Effect.runPromise(client.getUpdates(id + 1, 0));
    expect(after).toEqual([]);
  });

  test("interrupting a long poll aborts the request: a clean stop", async () => {
    const client = makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot });
    const fiber = Effect.runFork(client.getUpdates(0, 30));
    while (fake.pendingPolls() === 0) await Bun.sleep(1);
    const exit = await Effect.runPromise(Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber))));
    expect(Exit.hasInterrupts(exit)).toBe(true);
    while (fake.pendingPolls() > 0) await Bun.sleep(1); // the server saw the abort
  });

  test("errors map to rateLimited / transient / permanent and never carry the token", async () => {
    const client = makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot });
    fake.fail({ status: 429, retryAfter: 7 });
    fake.fail({ status: 502 });
    fake.fail({ status: 400, description: "Bad Request: can't parse entities: unsupported start tag" });
    const e1 = await Effect.runPromise(Effect.flip(client.sendMessage("1", "x")));
    const e2 = await Effect.runPromise(Effect.flip(client.sendMessage("1", "x")));
    const e3 = await Effect.runPromise(Effect.flip(client.sendMessage("1", "x")));
    expect([e1.reason, e1.retryAfterMs, e1.status]).toEqual(["rateLimited", 7000, 429]);
    expect([e2.reason, e2.status]).toEqual(["transient", 502]);
    expect([e3.reason, e3.status]).toEqual(["permanent", 400]);
    await fake.stop();
    const e4 = await Effect.runPromise(Effect.flip(client.sendMessage("1", "x")));
    expect(e4.reason).toBe("transient");
    for (const e of [e1, e2, e3, e4]) expect(e.message).not.toContain(fake.token.split(":")[1]!);
  });

  test("a refused chat or bot is blocked (no message can go), a refused message is permanent", async () => {
    const answers = [
      { status: 400, description: "Bad Request: chat not found" },
      { status: 401, description: "Unauthorized" },
      { status: 403, description: "Forbidden: bot was blocked by the user" },
      { status: 403, description: "Forbidden: bot was kicked from the supergroup chat" },
      { status: 400, description: "Bad Request: not enough rights to send text messages to the chat" },
      { status: 400, description: "Bad Request: message is too long" },
    ];
    const client = makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot });
    const reasons: string[] = [];
    for (const a of answers) {
      fake.fail(a);
      reasons.push((await Effect.runPromise(Effect.flip(client.sendMessage("1", "x")))).reason);
    }
    expect(reasons).toEqual(["blocked", "blocked", "blocked", "blocked", "blocked", "permanent"]);
  });

  test("a request that is never answered fails as transient at its bound: 15 s for a text, 60 s for a photo", async () => {
    fake.hang({ times: 2 });
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const client = makeBotApiClient({
          token: fake.token,
          apiRoot: fake.apiRoot,
          deadlineClock: yield* Clock.Clock,
        });
        const text = yield* Effect.forkChild(Effect.flip(client.sendMessage("1", "x")));
        const photo = yield* Effect.forkChild(Effect.flip(client.sendPhoto("1", PNG, "c")));
        yield* Effect.promise(() => fake.whenHung(2));
        yield* TestClock.adjust(14_999);
        const textEarly = text.pollUnsafe();
        yield* TestClock.adjust(1);
        const textError = yield* Fiber.join(text);
        yield* TestClock.adjust(44_999);
        const photoEarly = photo.pollUnsafe();
        yield* TestClock.adjust(1);
        const photoError = yield* Fiber.join(photo);
        return { textEarly, textError, photoEarly, photoError };
      }).pipe(Effect.provide(TestClock.layer())),
    );
    expect(outcome.textEarly).toBeUndefined();
    expect(outcome.textError).toMatchObject({ reason: "transient", method: "sendMessage" });
    expect(outcome.textError.message).toBe("sendMessage: no answer within 15 s, request aborted");
    expect(outcome.photoEarly).toBeUndefined();
    expect(outcome.photoError).toMatchObject({ reason: "transient", method: "sendPhoto" });
  });

  test("redact removes the token and its secret half", () => {
    expect(redact("GET /bot123:ABCDEFGHIJ/sendMessage ABCDEFGHIJ", "123:ABCDEFGHIJ")).toBe(
      "GET /bot<token>/sendMessage <token>",
    );
  });
});

// PROOF, kept on purpose: telegraf 4.16.3 under Bun 1.4 gzips request bodies, never completes a photo upload,
// and rejects its launch promise on stop. These assertions document the broken behaviour; if one starts
// failing, telegraf was fixed and the choice in README (section telegram) can be revisited.
describe("telegraf 4.16.3 under Bun (proof of why we do not use it)", () => {
  test("request bodies are gzip-compressed", async () => {
    const bot = new Telegraf(fake.token, { telegram: { apiRoot: fake.apiRoot } });
    await bot.telegram.sendMessage(1, "hello", { parse_mode: "HTML" });
    expect(fake.received[0]?.contentEncoding).toBe("gzip");
  });

  test("sendPhoto with a buffer never reaches the server (hangs)", async () => {
    const bot = new Telegraf(fake.token, { telegram: { apiRoot: fake.apiRoot } });
    const upload = bot.telegram.sendPhoto(1, { source: Buffer.from(PNG) }, { caption: "c" }).then(
      () => "settled",
      () => "settled",
    );
    const outcome = await Promise.race([upload, Bun.sleep(1500).then(() => "still pending")]);
    expect(outcome).toBe("still pending");
    expect(fake.received.filter((r) => r.method === "sendPhoto")).toHaveLength(0);
  });

  test("stop() makes the launch promise reject instead of resolving", async () => {
    const bot = new Telegraf(fake.token, { telegram: { apiRoot: fake.apiRoot } });
    const launched = bot.launch().then(
      () => "resolved",
      (e: unknown) => `rejected: ${e instanceof Error ? e.name : String(e)}`,
    );
    while (fake.pendingPolls() === 0) await Bun.sleep(1);
    bot.stop("test");
    expect(await launched).toStartWith("rejected");
  });
});
