/**
 * One bot per database: while a process has the database open for writing, a second one (another process or
 * another layer in this one) is refused with one line naming the file and the holder's pid; `kill -9` of the
 * holder frees the lock at once (no stale lock file to clean up).
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { hostname } from "node:os";
import { SignalStore } from "@signalbot/core";
import { Effect, Exit, Layer, Scope } from "effect";
import { layer } from "./index.ts";
import { tempDatabase } from "./SqliteFixtures.ts";

let tmp: ReturnType<typeof tempDatabase>;
beforeEach(() => {
  tmp = tempDatabase();
});
afterEach(() => tmp.remove());

const WRITER = new URL("./CrashWriter.ts", import.meta.url).pathname;

const openFailure = () =>
  Effect.runPromise(Effect.flip(Effect.provide(Effect.void, layer({ path: tmp.dbPath }))));

test("a second process on the same database is refused, naming the file and the holder; kill -9 frees it", async () => {
  const holder = Bun.spawn([process.execPath, WRITER, tmp.dbPath, "0"], { stdout: "pipe", stderr: "pipe" });
  // The writer holds the database once it reports its first commit.
  const reader = holder.stdout.getReader();
  await reader.read();
  const refused = await openFailure();
  expect(refused.reason).toBe("locked");
  expect(refused.message).toContain(`"${tmp.dbPath}"`);
  expect(refused.message).toContain(
    `another signalbot is already using this database (pid ${holder.pid} on ${hostname()}`,
  );
  expect(refused.message).not.toContain("\n");
  holder.kill("SIGKILL");
  await holder.exited;
  // No stale lock: the next start opens at once and finds the killed writer's commits.
  const emitted = await Effect.runPromise(
    Effect.provide(
      Effect.flatMap(SignalStore, (s) => s.recentSignals(1)),
      layer({ path: tmp.dbPath }),
    ),
  );
  expect(emitted).toHaveLength(1);
});

test("in one process: a second layer on the same file is refused until the first one closes", async () => {
  const scope = Effect.runSync(Scope.make());
  await Effect.runPromise(Layer.buildWithScope(layer({ path: tmp.dbPath }), scope));
  const refused = await openFailure();
  expect(refused.reason).toBe("locked");
  expect(refused.message).toContain(`pid ${process.pid}`);
  await Effect.runPromise(Scope.close(scope, Exit.void));
  const reopened = await Effect.runPromise(
    Effect.provide(
      Effect.flatMap(SignalStore, (s) => s.outboxDepth),
      layer({ path: tmp.dbPath }),
    ),
  );
  expect(reopened).toBe(0);
});

test("read-only opens and opted-out layers take no lock (inspection beside a running bot)", async () => {
  const scope = Effect.runSync(Scope.make());
  await Effect.runPromise(Layer.buildWithScope(layer({ path: tmp.dbPath }), scope));
  const depth = (options: { readonly readOnly?: boolean; readonly singleInstance?: boolean }) =>
    Effect.runPromise(
      Effect.provide(
        Effect.flatMap(SignalStore, (s) => s.outboxDepth),
        layer({ path: tmp.dbPath, ...options }),
      ),
    );
  expect(await depth({ readOnly: true })).toBe(0);
  expect(await depth({ singleInstance: false })).toBe(0);
  await Effect.runPromise(Scope.close(scope, Exit.void));
});
