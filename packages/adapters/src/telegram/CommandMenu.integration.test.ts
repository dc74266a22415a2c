/** The "/" menu: registered with setMyCommands in Telegram's format, from the same list /help prints. */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { Effect, Logger } from "effect";
import { type FakeBotApi, startFakeBotApi } from "../testing/FakeBotApi.ts";
import { makeBotApiClient } from "./BotApiClient.ts";
import { commandMenu, registerCommandMenu } from "./CommandMenu.ts";
import { helpDoc } from "./Commands.ts";
import { toPlain } from "./Message.ts";

let fake: FakeBotApi;
beforeEach(() => {
  fake = startFakeBotApi();
});
afterEach(async () => {
  await fake.stop();
});

test("every command /help lists is in the menu, with its arguments first", () => {
  const help = toPlain(helpDoc());
  const menu = commandMenu();
  expect(menu.map((m) => m.command)).toEqual([
    "status",
    "signals",
    "trades",
    "profit",
    "daily",
    "performance",
    "stats",
    "pause",
    "resume",
    "universe",
    "help",
  ]);
  for (const m of menu) expect(help).toContain(`/${m.command}`);
  expect(menu.find((m) => m.command === "daily")?.description).toBe(
    "[ngày] — lãi/lỗ từng ngày (mặc định 7 ngày)",
  );
});

test("registerCommandMenu sends the menu Telegram accepts", async () => {
  await Effect.runPromise(
    registerCommandMenu(makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot })),
  );
  const calls = fake.received.filter((r) => r.method === "setMyCommands");
  expect(calls.map((r) => r.status)).toEqual([200]);
  const sent = calls[0]!.params.commands;
  const commands = typeof sent === "string" ? JSON.parse(sent) : sent;
  expect(commands).toEqual(commandMenu());
});

test("a refused menu is a warning, never a failure: commands still work when typed", async () => {
  fake.fail({ method: "setMyCommands", status: 400, description: "Bad Request: BOT_COMMAND_INVALID" });
  const logged: string[] = [];
  const capture = Logger.make((o) => void logged.push(`${o.logLevel} ${String(o.message)}`));
  const exit = await Effect.runPromiseExit(
    registerCommandMenu(makeBotApiClient({ token: fake.token, apiRoot: fake.apiRoot })).pipe(
      Effect.provide(Logger.layer([capture])),
    ),
  );
  expect(exit._tag).toBe("Success");
  expect(fake.received.filter((r) => r.method === "setMyCommands").map((r) => r.status)).toEqual([400]);
  expect(logged).toEqual([
    'Warn telegram: setMyCommands failed, the "/" menu is left as it was: setMyCommands: 400 Bad Request: BOT_COMMAND_INVALID',
  ]);
});
