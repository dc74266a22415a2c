/** `bun run telegram-setup` against the fake Bot API: the chat id found for the owner, in every way it can go. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBotApiClient } from "@signalbot/adapters/telegram";
import { type FakeBotApi, startFakeBotApi } from "@signalbot/adapters/testing";
import { Effect } from "effect";
import { parseDotEnv } from "../Config.ts";
import { confirm, findChat } from "./TelegramSetup.ts";

const CLI = new URL("../cli/telegram-setup.ts", import.meta.url).pathname;

let fake: FakeBotApi;
beforeEach(() => {
  fake = startFakeBotApi();
});
afterEach(async () => {
  await fake.stop();
});

const client = (token = fake.token) => makeBotApiClient({ token, apiRoot: fake.apiRoot });
const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(Effect.result(e));

describe("findChat", () => {
  test("the owner's /start gives the chat; the bot answers there with the id and the update is acknowledged", async () => {
    const ready: string[] = [];
    const pending = run(findChat(client(), { waitSeconds: 10, onReady: (b) => ready.push(b) }));
    while (fake.pendingPolls() === 0) await Bun.sleep(2);
    const id = fake.pushMessage({ chatId: 5551234, fromId: 9, text: "/start" });
    const r = await pending;
    expect(r._tag === "Success" && r.success).toEqual({
      bot: "fake_bot",
      chat: { id: 5551234, type: "private", name: "user9" },
    });
    expect(ready).toEqual(["fake_bot"]);
    const polls = fake.received.filter((q) => q.method === "getUpdates");
    expect(Number(polls.at(-1)?.params.offset)).toBe(id + 1);
    await Effect.runPromise(confirm(client(), { id: 5551234, type: "private", name: "user9" }));
    const hello = fake.delivered().at(-1)!;
    expect(hello.params.chat_id).toBe("5551234");
    expect(String(hello.params.text)).toContain("TELEGRAM_CHAT_ID=<code>5551234</code>");
  });

  test("a group is found by /start@bot and named by its title", async () => {
    fake.pushMessage({ chatId: -100777, fromId: 3, text: "/start@fake_bot", chatTitle: "Tín hiệu của tôi" });
    const r = await run(findChat(client(), { waitSeconds: 5 }));
    expect(r._tag === "Success" && r.success.chat).toEqual({
      id: -100777,
      type: "supergroup",
      name: "Tín hiệu của tôi",
    });
  });

  test("a wrong token, a bot already polling, and silence each get their own reason", async () => {
    const bad = await run(findChat(client("123:wrong-token-entirely-xx"), { waitSeconds: 5 }));
    expect(bad._tag === "Failure" && bad.failure.reason).toBe("badToken");
    fake.fail({
      method: "getUpdates",
      status: 409,
      description: "Conflict: terminated by other getUpdates request",
    });
    const conflict = await run(findChat(client(), { waitSeconds: 5 }));
    expect(conflict._tag === "Failure" && conflict.failure.reason).toBe("conflict");
    const silent = await run(findChat(client(), { waitSeconds: 1, pollSeconds: 1 }));
    expect(silent._tag === "Failure" && silent.failure.reason).toBe("noMessage");
  });
});

describe("the command", () => {
  test("writes the token and chat id into .env (owner-only), prints the id, never the token", async () => {
    const dir = mkdtempSync(join(tmpdir(), "signalbot-setup-"));
    try {
      writeFileSync(join(dir, ".env"), "# my settings\nSCORE_THRESHOLD=80\nTELEGRAM_CHAT_ID=\n");
      fake.pushMessage({ chatId: 424242, fromId: 1, text: "/start" });
      const p = Bun.spawn(["bun", CLI, "--token", fake.token, "--wait", "20"], {
        cwd: dir,
        env: { ...process.env, TELEGRAM_API_ROOT: fake.apiRoot, TELEGRAM_BOT_TOKEN: "" },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [code, stdout, stderr] = await Promise.all([
        p.exited,
        new Response(p.stdout).text(),
        new Response(p.stderr).text(),
      ]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout).toContain("✓ Token hợp lệ: bot @fake_bot");
      expect(stdout).toContain("TELEGRAM_CHAT_ID=424242");
      expect(stdout).not.toContain(fake.token);
      const env = readFileSync(join(dir, ".env"), "utf8");
      expect(parseDotEnv(env)).toEqual({
        SCORE_THRESHOLD: "80",
        TELEGRAM_CHAT_ID: "424242",
        TELEGRAM_BOT_TOKEN: fake.token,
      });
      expect(env.startsWith("# my settings\n")).toBe(true);
      expect(statSync(join(dir, ".env")).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a refused token is explained in Vietnamese, exit 1, .env untouched", async () => {
    const dir = mkdtempSync(join(tmpdir(), "signalbot-setup-"));
    try {
      const p = Bun.spawn(["bun", CLI, "--token", "123:this-is-not-the-token-xx", "--wait", "5"], {
        cwd: dir,
        env: { ...process.env, TELEGRAM_API_ROOT: fake.apiRoot },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [code, stderr] = await Promise.all([p.exited, new Response(p.stderr).text()]);
      expect(code).toBe(1);
      expect(stderr).toContain("Telegram từ chối token");
      expect(await Bun.file(join(dir, ".env")).exists()).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
