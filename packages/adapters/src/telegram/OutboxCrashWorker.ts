/**
 * Child process for the outbox crash test: runs the outbox worker over the SQLite database at argv[2],
 * delivering to the (fake) Bot API at argv[3] with token argv[4], until it is killed.
 * Usage: bun OutboxCrashWorker.ts <db> <apiRoot> <token>
 */
import { makeOutboxWorker } from "@signalbot/core";
import { Effect, Layer } from "effect";
import { layer as sqliteLayer } from "../sqlite/index.ts";
import { TelegramNotifier } from "./TelegramNotifier.ts";

const [path, apiRoot, token] = process.argv.slice(2);
if (path === undefined || apiRoot === undefined || token === undefined) {
  process.stderr.write("usage: OutboxCrashWorker.ts <db> <apiRoot> <token>\n");
  process.exit(2);
}
const layer = Layer.mergeAll(sqliteLayer({ path }), TelegramNotifier.layer({ token, apiRoot, chatId: "1" }));
await Effect.runPromise(makeOutboxWorker({ minIntervalMs: 0 }).run.pipe(Effect.provide(layer)));
