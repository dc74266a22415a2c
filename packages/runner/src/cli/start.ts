/**
 * `bun run start`: the live bot. Reads `.env` (when present) under the process environment, validates the
 * configuration (one line per problem, exit 78), composes the application and runs the live loop until
 * SIGTERM/SIGINT, then shuts down cleanly and exits 0. Exit 1 only when the database cannot be opened.
 */
import { existsSync, readFileSync } from "node:fs";
import { Cause, Clock, Effect, Exit } from "effect";
import { type AppOverrides, makeApp } from "../AppLayer.ts";
import { type AppConfig, loadConfig, parseDotEnv, redactedConfig, secretsOf } from "../Config.ts";
import { type LiveHandle, type LiveOptions, runLive } from "../live/Live.ts";
import { type Logger, makeLogger } from "../observability/Log.ts";
import { Metrics } from "../observability/Metrics.ts";
import { loadModels, unregisteredMemoryModels } from "../plugins/ModelModules.ts";

/** EX_CONFIG: systemd is told not to restart on it (RestartPreventExitStatus=78). */
export const EXIT_CONFIG = 78;

export const VERSION = "0.1.0";

export interface RunBotOptions extends AppOverrides {
  readonly log: Logger;
  /** The runner's clock (default: the wall clock). The demo and e2e tests pass the fake exchange's time. */
  readonly clock?: Clock.Clock;
  /** Aborting it is SIGTERM: clean shutdown. */
  readonly signal?: AbortSignal;
  readonly onStarted?: (handle: LiveHandle) => void;
  readonly onStep?: LiveOptions["onStep"];
  /** Port for /healthz and /metrics; default HTTP_PORT (0 there disables the server). */
  readonly httpPort?: number;
  readonly shutdownDrainMs?: number;
  /** Why the bot stops (the signal name), for the "stopping" alert. */
  readonly stopReason?: () => string;
}

/**
 * Loads the models of MODELS (exit 78 when one cannot be), composes and runs the bot until `signal` aborts.
 * Resolves with the process exit code.
 */
export const runBot = async (config: AppConfig, options: RunBotOptions): Promise<number> => {
  const { log } = options;
  const loaded = await loadModels(config.modelEntries);
  if (loaded._tag === "Invalid") {
    for (const p of loaded.problems) log.error(`MODELS: ${p}`);
    return EXIT_CONFIG;
  }
  const { models } = loaded;
  for (const w of unregisteredMemoryModels(models, {
    disable: config.memoryDisableModels,
    preferred: config.memoryPreferredModel,
  }))
    log.warn(w);
  log.info(`models: ${models.map((m) => `"${m.name}"`).join(", ")}`);
  const app = makeApp(config, log, { ...options, models });
  const httpPort = options.httpPort ?? (config.httpPort === 0 ? undefined : config.httpPort);
  const program = runLive({
    config,
    models,
    log,
    metrics: new Metrics(),
    version: VERSION,
    ...app.live,
    ...(httpPort === undefined ? {} : { httpPort }),
    ...(options.onStarted === undefined ? {} : { onStarted: options.onStarted }),
    ...(options.onStep === undefined ? {} : { onStep: options.onStep }),
    ...(options.shutdownDrainMs === undefined ? {} : { shutdownDrainMs: options.shutdownDrainMs }),
    ...(options.stopReason === undefined ? {} : { stopReason: options.stopReason }),
  }).pipe(Effect.provide(app.layer));
  const exit = await Effect.runPromiseExit(
    options.clock === undefined ? program : program.pipe(Effect.provideService(Clock.Clock, options.clock)),
    options.signal === undefined ? {} : { signal: options.signal },
  );
  if (Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause)) return 0;
  const error = Cause.squash(exit.cause);
  log.error(`cannot run: ${error instanceof Error ? error.message : String(error)}`, {
    database: config.databasePath,
  });
  return 1;
};

/** `.env` in the working directory (if any) under the process environment: the environment wins. */
export const readEnvironment = (
  env: Readonly<Record<string, string | undefined>>,
  path = ".env",
): Record<string, string | undefined> => ({
  ...(existsSync(path) ? parseDotEnv(readFileSync(path, "utf8")) : {}),
  ...env,
});

export const main = async (): Promise<number> => {
  const loaded = loadConfig(readEnvironment(process.env));
  if (loaded._tag === "Invalid") {
    for (const p of loaded.problems) process.stderr.write(`config: ${p}\n`);
    process.stderr.write("config: fix the values above (see .env.example); not starting\n");
    return EXIT_CONFIG;
  }
  const config = loaded.config;
  const format = config.logFormat === "auto" ? (process.stdout.isTTY ? "pretty" : "json") : config.logFormat;
  const log = makeLogger({
    level: config.logLevel,
    format,
    secrets: secretsOf(config),
    write: (line) => process.stdout.write(`${line}\n`),
    now: Date.now,
  });
  log.info(`signalbot ${VERSION} starting`, redactedConfig(config));
  const abort = new AbortController();
  let stopping: string | undefined;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = signal;
    log.info(`${signal} received: shutting down`);
    abort.abort();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  return runBot(config, { log, signal: abort.signal, stopReason: () => stopping ?? "shutdown" });
};

if (import.meta.main) process.exit(await main());
