/**
 * Crash safety: a child process writes signals as fast as it can and is killed with SIGKILL mid-run, three
 * times on the same file. Each time the database must reopen intact, hold every write the child reported as
 * committed, and hold each signal together with its trade and notification (or none of them).
 */
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { SignalStore } from "@signalbot/core";
import { Effect } from "effect";
import { layer } from "./index.ts";
import { nthEmission, tempDatabase } from "./SqliteFixtures.ts";

let tmp: ReturnType<typeof tempDatabase>;
beforeEach(() => {
  tmp = tempDatabase();
});
afterEach(() => tmp.remove());

const WRITER = new URL("./CrashWriter.ts", import.meta.url).pathname;

/** Starts the writer at `first`, kills it with SIGKILL once it has reported `killAfter` commits. */
const runAndKill = async (
  first: number,
  killAfter: number,
): Promise<{ emitted: number[]; closed: number[] }> => {
  const child = Bun.spawn([process.execPath, WRITER, tmp.dbPath, String(first)], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const decoder = new TextDecoder();
  let output = "";
  let killed = false;
  for await (const chunk of child.stdout) {
    output += decoder.decode(chunk, { stream: true });
    if (!killed && output.split("\n").length > killAfter) {
      child.kill("SIGKILL");
      killed = true;
    }
  }
  await child.exited;
  expect(child.signalCode).toBe("SIGKILL");
  // A line is printed only after its commit returned; a torn last line is not a report.
  const lines = output.split("\n").slice(0, -1);
  const numbers = (kind: string) =>
    lines.filter((l) => l.startsWith(`${kind} `)).map((l) => Number(l.split(" ")[1]));
  return { emitted: numbers("emitted"), closed: numbers("closed") };
};

const inspect = () => {
  const db = new Database(tmp.dbPath);
  try {
    const all = <R>(sql: string) => db.query<R, []>(sql).all();
    return {
      integrity: db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()?.integrity_check,
      keys: new Set(all<{ key: string }>("SELECT key FROM signals").map((r) => r.key)),
      signals: all<{ n: number }>("SELECT COUNT(*) AS n FROM signals")[0]!.n,
      // Signals missing their trade or their NewSignal outbox row: must be none.
      orphans: all<{ key: string }>(
        `SELECT s.key FROM signals s
         WHERE NOT EXISTS (SELECT 1 FROM trades t WHERE t.id = s.key)
            OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'NewSignal' AND o.ref = s.key)`,
      ).length,
      closed: new Set(all<{ id: string }>("SELECT id FROM trades WHERE status = 'closed'").map((r) => r.id)),
      // Closed trades missing their Closed event or their TradeUpdate row, or events without a closed trade.
      torn: all<{ id: string }>(
        `SELECT t.id FROM trades t
         WHERE (t.status = 'closed') <> EXISTS (SELECT 1 FROM trade_events e WHERE e.trade_id = t.id AND e.kind = 'Closed')
            OR (t.status = 'closed') <> EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'TradeUpdate' AND o.ref = t.id)`,
      ).length,
      duplicates: all<{ n: number }>(
        "SELECT COUNT(*) - COUNT(DISTINCT ref) AS n FROM outbox WHERE kind = 'NewSignal'",
      )[0]!.n,
    };
  } finally {
    db.close();
  }
};

test("SIGKILL mid-run never loses a reported commit nor tears a signal from its trade and notification", async () => {
  let first = 0;
  const reported: number[] = [];
  for (const killAfter of [40, 150, 400]) {
    const { emitted, closed } = await runAndKill(first, killAfter);
    expect(emitted.length).toBeGreaterThan(0);
    reported.push(...emitted);
    // Killed without a clean close: the WAL was not checkpointed away, so reopening must recover from it.
    expect(existsSync(`${tmp.dbPath}-wal`)).toBe(true);
    const state = inspect();
    expect(state.integrity).toBe("ok");
    for (const n of reported) expect(state.keys.has(nthEmission(n).signal.key)).toBe(true);
    for (const n of closed) expect(state.closed.has(nthEmission(n).trade.id)).toBe(true);
    expect(state.orphans).toBe(0);
    expect(state.torn).toBe(0);
    expect(state.duplicates).toBe(0);
    // The next run resumes after what is on disk (which may be one more than was reported).
    expect(state.signals).toBeGreaterThanOrEqual(reported.length);
    first = state.signals;
  }
  // The survivor opens with the normal layer and refuses to emit a committed signal again.
  const again = await Effect.runPromise(
    Effect.provide(
      Effect.flatMap(SignalStore, (s) => s.emit(nthEmission(reported.at(-1)!))),
      layer({ path: tmp.dbPath }),
    ),
  );
  expect(again).toBe("duplicate");

  // Control: the checks above do see a torn write (a signal row alone, as a non-transactional writer could leave).
  const db = new Database(tmp.dbPath);
  db.run(
    `INSERT INTO signals (key, symbol, timeframe, candle_open_time, model, side, status, score, threshold, entry,
       stop, tp1, tp2, tp3, rr, created_at, payload)
     VALUES ('torn', 'X', '30m', 0, 'continuation', 'LONG', 'emitted', 0, 0, 0, 0, 0, 0, 0, 0, 0, '{}')`,
  );
  db.close();
  expect(inspect().orphans).toBe(1);
}, 30_000);
