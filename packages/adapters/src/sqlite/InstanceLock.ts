/**
 * One bot per database: a lock beside the database file (`<DATABASE_PATH>.lock`) that a second process on the
 * same file cannot take, and that dies with the process holding it. Two bots on one database would send every
 * outbox row twice and fight over Telegram's update stream.
 *
 * The lock is SQLite's own file lock (a POSIX lock the kernel drops when the process exits, `kill -9` included):
 * the holder keeps a write transaction open on the lock file (RESERVED lock, no journal written), which no other
 * connection, in this process or another, can start. Readers still can, so a refused instance reads who holds it.
 * @see https://www.sqlite.org/lockingv3.html
 */
import { Database } from "bun:sqlite";
import { hostname } from "node:os";

/** Who holds a lock (as the holder wrote it when it took the lock). */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: number;
}

/** The lock is held by another live process (or another connection of this one). */
export class AlreadyRunning extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      `another signalbot is already using this database${
        holder === undefined
          ? ""
          : ` (pid ${holder.pid} on ${holder.host}, running since ${new Date(holder.startedAt).toISOString()})`
      }: stop it first, or give this one its own DATABASE_PATH`,
    );
    this.name = "AlreadyRunning";
  }
}

export interface InstanceLock {
  readonly path: string;
  /** Gives the lock up (the process exiting does it too). */
  readonly release: () => void;
}

const SCHEMA =
  "CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL, started_at INTEGER NOT NULL)";

const isBusy = (e: unknown): boolean =>
  typeof e === "object" && e !== null && "errno" in e && ((e as { errno: number }).errno & 0xff) === 5;

const readHolder = (db: Database): LockHolder | undefined => {
  try {
    const row = db
      .query<{ pid: number; host: string; started_at: number }, []>(
        "SELECT pid, host, started_at FROM holder WHERE id = 1",
      )
      .get();
    return row === null ? undefined : { pid: row.pid, host: row.host, startedAt: row.started_at };
  } catch {
    return undefined;
  }
};

/**
 * Takes the lock for the database at `databasePath`, or throws `AlreadyRunning` naming the holder. Throws the
 * file system's error when the lock file cannot be created. `now` stamps the holder row.
 */
export const acquireInstanceLock = (databasePath: string, now: number): InstanceLock => {
  const path = `${databasePath}.lock`;
  const db = new Database(path, { create: true, readwrite: true, strict: true });
  const refuse = (): never => {
    const holder = readHolder(db);
    db.close();
    throw new AlreadyRunning(path, holder);
  };
  try {
    // No waiting: a lock that is held stays held while its process lives. The lock file never gets a WAL.
    db.run("PRAGMA busy_timeout = 0");
    db.run("PRAGMA journal_mode = DELETE");
    db.run("BEGIN IMMEDIATE");
  } catch (e) {
    if (isBusy(e)) refuse();
    db.close();
    throw e;
  }
  // Ours. Publish who we are (a committed row readers can see), then hold the write lock again at once: a process
  // that slips into the gap between the two takes the lock and we step back instead. The commit may wait a moment
  // for a refused instance that is reading the holder row.
  try {
    db.run("PRAGMA busy_timeout = 2000");
    db.run(SCHEMA);
    db.run("INSERT OR REPLACE INTO holder (id, pid, host, started_at) VALUES (1, ?, ?, ?)", [
      process.pid,
      hostname(),
      now,
    ]);
    db.run("COMMIT");
    db.run("BEGIN IMMEDIATE");
  } catch (e) {
    if (isBusy(e)) refuse();
    db.close();
    throw e;
  }
  let held = true;
  return {
    path,
    release: () => {
      if (!held) return;
      held = false;
      try {
        db.run("ROLLBACK");
      } finally {
        db.close();
      }
    },
  };
};
