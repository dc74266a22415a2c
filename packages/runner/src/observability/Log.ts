/**
 * The runner's logger: readable lines on a terminal, JSON lines otherwise (journald), with every configured
 * secret redacted from messages and fields before anything is written.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  readonly debug: (message: string, fields?: LogFields) => void;
  readonly info: (message: string, fields?: LogFields) => void;
  readonly warn: (message: string, fields?: LogFields) => void;
  readonly error: (message: string, fields?: LogFields) => void;
  /** A logger whose lines carry `component`. */
  readonly child: (component: string) => Logger;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: "pretty" | "json";
  /** Values that must never be written (tokens, API secrets). */
  readonly secrets: readonly string[];
  readonly write: (line: string) => void;
  readonly now: () => number;
}

const redactor = (secrets: readonly string[]) => {
  const list = secrets.filter((s) => s.length >= 4);
  return (text: string): string => {
    let out = text;
    for (const s of list) out = out.split(s).join("***");
    return out;
  };
};

const fieldText = (value: unknown): string => {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === "string") return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
};

export const makeLogger = (options: LoggerOptions, component?: string): Logger => {
  const redact = redactor(options.secrets);
  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (RANK[level] < RANK[options.level]) return;
    const time = new Date(options.now()).toISOString();
    let line: string;
    if (options.format === "json") {
      const record: Record<string, unknown> = { time, level, msg: message };
      if (component !== undefined) record.component = component;
      if (fields !== undefined)
        for (const [k, v] of Object.entries(fields)) record[k] = v instanceof Error ? v.message : v;
      line = JSON.stringify(record);
    } else {
      const extra =
        fields === undefined
          ? ""
          : Object.entries(fields)
              .map(([k, v]) => ` ${k}=${fieldText(v)}`)
              .join("");
      line = `${time.slice(0, 19).replace("T", " ")} ${level.toUpperCase().padEnd(5)} ${component === undefined ? "" : `[${component}] `}${message}${extra}`;
    }
    options.write(redact(line));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (name) => makeLogger(options, component === undefined ? name : `${component}/${name}`),
  };
};

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = makeLogger({
  level: "error",
  format: "json",
  secrets: [],
  write: () => {},
  now: () => 0,
});
