/**
 * The real bot as a child process — the production bundle (`cli/build.ts`), with the audit probe bundled in
 * (`probedStart.ts`) — for the live benchmarks and the chaos soak: its RSS and
 * CPU come from /proc (Linux), it can be `kill -9`ed and restarted, and its JSON log lines are kept and
 * searchable. The bot runs in its own working directory so no `.env` of the checkout leaks in.
 */
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBot } from "../cli/build.ts";

const PROBED_ENTRY = fileURLToPath(new URL("./probedStart.ts", import.meta.url));
let bundled: Promise<string> | undefined;

/** Builds the probed production bundle once per process (a fraction of a second) and returns its path. */
export const probedBundle = (): Promise<string> => {
  bundled ??= buildBot({
    entry: PROBED_ENTRY,
    outdir: join(mkdtempSync(join(tmpdir(), "signalbot-bundle-")), "dist"),
  });
  return bundled;
};

/** Clock ticks per second for /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on every Linux we target). */
const CLK_TCK = 100;

export interface BotProcessOptions {
  /** Variables on top of PATH and HOME (nothing else of this process's environment is passed on). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Every output line is appended here when set. */
  readonly logFile?: string;
  /** Log lines kept in memory (most recent). Default 2000. */
  readonly keepLines?: number;
  /** The bundle to run (`probedBundle()`). */
  readonly script: string;
}

/** One JSON log line of the bot, or `{ msg: line }` for anything else it printed. */
export interface LogRecord {
  readonly msg: string;
  readonly level?: string;
  readonly [field: string]: unknown;
}

const parseLine = (line: string): LogRecord => {
  if (line.startsWith("{")) {
    try {
      const r = JSON.parse(line) as unknown;
      if (typeof r === "object" && r !== null && typeof (r as { msg?: unknown }).msg === "string")
        return r as LogRecord;
    } catch {}
  }
  return { msg: line };
};

export class BotProcess {
  readonly pid: number;
  readonly exited: Promise<number>;
  private readonly lines: LogRecord[] = [];
  private readonly waiters = new Set<{ test: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void }>();
  private exitCode: number | undefined;

  private constructor(
    private readonly proc: Bun.Subprocess<"ignore", "pipe", "pipe">,
    private readonly options: BotProcessOptions,
  ) {
    this.pid = proc.pid;
    this.exited = proc.exited.then((code) => {
      this.exitCode = code;
      return code;
    });
    void this.pump(proc.stdout);
    void this.pump(proc.stderr);
  }

  static start(options: BotProcessOptions): BotProcess {
    const proc = Bun.spawn([process.execPath, options.script], {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? options.cwd,
        ...options.env,
      },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    return new BotProcess(proc, options);
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Resident set size in MB (VmRSS), `NaN` once the process is gone. */
  rssMb(): number {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
      return m === null ? Number.NaN : Number(m[1]) / 1024;
    } catch {
      return Number.NaN;
    }
  }

  /** User + system CPU seconds used so far, `NaN` once the process is gone. */
  cpuSeconds(): number {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
      // Fields after the command name (which may contain spaces) start after the last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    } catch {
      return Number.NaN;
    }
  }

  /** The log lines seen so far (the most recent `keepLines`). */
  log(): readonly LogRecord[] {
    return this.lines;
  }

  /** Resolves with the first log line (already seen or future) that passes `test`; rejects after `timeoutMs`. */
  waitFor(test: (r: LogRecord) => boolean, timeoutMs: number, what = "log line"): Promise<LogRecord> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (r: LogRecord) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const tail = this.lines
          .slice(-15)
          .map((l) => `    ${l.level ?? ""} ${l.msg}`)
          .join("\n");
        reject(new Error(`bot (pid ${this.pid}): no ${what} within ${timeoutMs} ms; last lines:\n${tail}`));
      }, timeoutMs);
      this.waiters.add(waiter);
      void this.exited.then((code) => {
        if (!this.waiters.has(waiter)) return;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        const tail = this.lines
          .slice(-15)
          .map((l) => `    ${l.level ?? ""} ${l.msg}`)
          .join("\n");
        reject(new Error(`bot (pid ${this.pid}) exited with ${code} before ${what}; last lines:\n${tail}`));
      });
    });
  }

  /** `kill -9`: no shutdown code runs (the crash the store and the outbox must survive). */
  async kill9(): Promise<void> {
    this.proc.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  async terminate(graceMs = 10_000): Promise<number> {
    if (!this.running) return this.exitCode ?? 0;
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  private async pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of stream) {
      rest += decoder.decode(chunk, { stream: true });
      let nl = rest.indexOf("\n");
      while (nl >= 0) {
        this.onLine(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
        nl = rest.indexOf("\n");
      }
    }
    if (rest !== "") this.onLine(rest);
  }

  private onLine(line: string): void {
    if (this.options.logFile !== undefined) appendFileSync(this.options.logFile, `${line}\n`);
    const record = parseLine(line);
    this.lines.push(record);
    const keep = this.options.keepLines ?? 2000;
    if (this.lines.length > keep) this.lines.splice(0, this.lines.length - keep);
    for (const w of [...this.waiters])
      if (w.test(record)) {
        this.waiters.delete(w);
        w.resolve(record);
      }
  }
}

/** A free TCP port on 127.0.0.1 (bound then released: good enough on a loopback test machine). */
export const freePort = (): number => {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = server.port ?? 0;
  server.stop(true);
  return port;
};
