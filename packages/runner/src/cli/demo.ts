/**
 * `bun run demo [-- --days N] [--out DIR] [--log]`: the real bot end to end against a loopback fake Binance and
 * fake Telegram (see demo/Demo.ts). Charts and a chat-like page land in ./demo-output/ by default.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEMO_DAYS, runDemo } from "../demo/Demo.ts";

const USAGE = "cách dùng: bun run demo [-- --days SỐ_NGÀY] [--out THƯ_MỤC] [--log]";

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      days: { type: "string", default: String(DEMO_DAYS) },
      out: { type: "string", default: "demo-output" },
      log: { type: "boolean", default: false },
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
  const report = await runDemo({ days, outDir: resolve(values.out), log: values.log });
  return report.exitCode;
};

const code = await main().catch((e: unknown) => {
  process.stderr.write(`chạy thử thất bại: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
});
process.exit(code);
