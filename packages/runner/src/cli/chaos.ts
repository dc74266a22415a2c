/**
 * `bun run chaos -- --minutes N [--seed S] [--symbols K] [--speed X] [--keep] [--json FILE]`: the chaos soak
 * (see chaos/Soak.ts). Prints each fault as it is injected, then every check; exits 1 when a check fails.
 */
import { writeFileSync } from "node:fs";
import { runSoak } from "../chaos/Soak.ts";

const USAGE = `Usage: bun run chaos -- [--minutes N] [--seed S] [--symbols K] [--speed X] [--keep] [--json FILE]
  --minutes N   soak length in real minutes (default 2; CI runs 1.75, under two minutes in all)
  --seed S      fault schedule seed (default 1): the same seed injects the same faults in the same order
  --symbols K   symbols the bot subscribes (default 20)
  --speed X     market milliseconds per real millisecond (default 900: a 30m candle every 2 s)
  --keep        keep the temporary directory (database, bot log, candle audit)
  --json FILE   write the checks and figures as JSON
`;

const main = async (argv: readonly string[]): Promise<number> => {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const number = (flag: string, fallback: number): number => {
    const raw = value(flag);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`chaos: ${flag} must be a positive number, got "${raw}"`);
    return n;
  };
  const options = {
    minutes: number("--minutes", 2),
    seed: number("--seed", 1),
    symbols: Math.round(number("--symbols", 20)),
    speed: number("--speed", 900),
    keep: argv.includes("--keep"),
    say: (line: string) => process.stdout.write(`chaos: ${line}\n`),
  };
  options.say(
    `soak ${options.minutes} min, seed ${options.seed}, ${options.symbols} symbols, market speed ×${options.speed}`,
  );
  const result = await runSoak(options);
  process.stdout.write("\n");
  for (const c of result.checks) process.stdout.write(`${c.ok ? "PASS" : "FAIL"}  ${c.name}: ${c.detail}\n`);
  process.stdout.write(
    `\n${Object.entries(result.figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}\n`,
  );
  const failed = result.checks.filter((c) => !c.ok).length;
  if (failed > 0 || options.keep) process.stdout.write(`files kept in ${result.dir}\n`);
  const json = value("--json");
  if (json !== undefined) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  // Not the "N passed, N failed" shape: CI reads that as a test runner's summary.
  process.stdout.write(
    failed === 0
      ? `chaos: all ${result.checks.length} checks hold\n`
      : `chaos: ${failed} of ${result.checks.length} checks FAILED\n`,
  );
  return failed > 0 ? 1 : 0;
};

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
