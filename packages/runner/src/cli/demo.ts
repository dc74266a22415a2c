/**
 * `bun run demo [-- --days N] [--out DIR] [--telegram] [--dashboard] [--log]`: the real bot end to end against a
 * loopback fake Binance and fake Telegram (see demo/Demo.ts); it prints its dashboard's address, and with
 * `--dashboard` keeps running after the replay (a candle every 2 s) until Ctrl+C. Charts and a chat-like page land in ./demo-output/ by default;
 * with `--telegram` every message also goes to the owner's real chat (TELEGRAM_BOT_TOKEN/TELEGRAM_CHAT_ID from
 * the environment or .env), so a newcomer sees a signal with its chart in their own Telegram within a minute.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { makeBotApiClient } from "@signalbot/adapters/telegram";
import { DEMO_DAYS, runDemo } from "../demo/Demo.ts";
import { readEnvironment } from "./start.ts";

const USAGE =
  "cách dùng: bun run demo [-- --days SỐ_NGÀY] [--out THƯ_MỤC] [--telegram] [--dashboard] [--log]";

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      days: { type: "string", default: String(DEMO_DAYS) },
      out: { type: "string", default: "demo-output" },
      log: { type: "boolean", default: false },
      telegram: { type: "boolean", default: false },
      dashboard: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 60) {
    process.stderr.write(`--days phải là số nguyên từ 1 đến 60, nhận được "${values.days}"\n${USAGE}\n`);
    return 64;
  }
  let forward: { client: ReturnType<typeof makeBotApiClient>; chatId: string } | undefined;
  if (values.telegram) {
    const env = readEnvironment(process.env);
    const token = env.TELEGRAM_BOT_TOKEN?.trim();
    const chatId = env.TELEGRAM_CHAT_ID?.trim();
    if (!token || !chatId) {
      process.stderr.write(
        "--telegram cần TELEGRAM_BOT_TOKEN và TELEGRAM_CHAT_ID: chạy bun run telegram-setup trước\n",
      );
      return 64;
    }
    const apiRoot = env.TELEGRAM_API_ROOT?.trim();
    forward = { client: makeBotApiClient({ token, ...(apiRoot ? { apiRoot } : {}) }), chatId };
  }
  // With --dashboard, Ctrl+C ends the replay cleanly (the summary still prints); without it, it exits as usual.
  const abort = new AbortController();
  if (values.dashboard)
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => abort.abort());
  const report = await runDemo({
    days,
    outDir: resolve(values.out),
    log: values.log,
    ...(forward === undefined ? {} : { forward }),
    ...(values.dashboard ? { keepRunning: { signal: abort.signal, candleEveryMs: 2000 } } : {}),
  });
  return report.exitCode;
};

const code = await main().catch((e: unknown) => {
  process.stderr.write(`chạy thử thất bại: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
});
process.exit(code);
