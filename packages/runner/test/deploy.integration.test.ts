/**
 * deploy/install.sh writes a unit that runs the real bun wherever it is installed, and the unit passes
 * systemd's own checks: `systemd-analyze verify`, and `systemd-analyze security` at 3 or below.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SCRIPT = new URL("../../../deploy/install.sh", import.meta.url).pathname;
const REPO = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
const BUN = Bun.which("bun") ?? process.execPath;
const ANALYZE = Bun.which("systemd-analyze");
const dir = mkdtempSync(join(tmpdir(), "signalbot-deploy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: readonly string[], env: Record<string, string> = {}) => {
  const p = Bun.spawnSync(["bash", SCRIPT, ...args], {
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
};
const directive = (unit: string, key: string) =>
  unit
    .split("\n")
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));

describe("the unit install.sh writes", () => {
  test("runs the bun found on this machine, on the bundle in this checkout, as a throw-away user", () => {
    const r = run(["--print-unit", "--bun", BUN]);
    expect(r.code).toBe(0);
    expect(directive(r.out, "ExecStart")).toEqual([`${BUN} ${REPO}/dist/signalbot.js`]);
    expect(directive(r.out, "DynamicUser")).toEqual(["yes"]);
    expect(directive(r.out, "StateDirectory")).toEqual(["signalbot"]);
    expect(r.out).not.toMatch(/@[A-Z_]+@/);
  });

  test("bun from npm in /usr/bin and the official installer's ~/.bun/bin both work", () => {
    // A home directory the service cannot see (ProtectHome=): bun there is copied to a system path.
    const home = join(dir, "home");
    mkdirSync(join(home, "alice/.bun/bin"), { recursive: true });
    symlinkSync(BUN, join(home, "alice/.bun/bin/bun"));
    const fromHome = run(["--print-unit", "--bun", join(home, "alice/.bun/bin/bun")], { HOME_DIRS: home });
    expect(directive(fromHome.out, "ExecStart")).toEqual([
      `/usr/local/lib/signalbot/bun ${REPO}/dist/signalbot.js`,
    ]);
    expect(directive(fromHome.out, "ProtectHome")).toEqual(["yes"]);
    const usrBin = join(dir, "usr/bin");
    mkdirSync(usrBin, { recursive: true });
    symlinkSync(BUN, join(usrBin, "bun"));
    expect(directive(run(["--print-unit", "--bun", join(usrBin, "bun")]).out, "ExecStart")).toEqual([
      `${join(usrBin, "bun")} ${REPO}/dist/signalbot.js`,
    ]);
  });

  test("a --bun that is not bun is refused with a clear message", () => {
    const fake = join(dir, "not-bun");
    writeFileSync(fake, "#!/bin/sh\nexit 3\n", { mode: 0o755 });
    const r = run(["--print-unit", "--bun", fake]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`--bun ${fake} is not an executable bun`);
  });

  test.skipIf(ANALYZE === null)("passes systemd-analyze verify, and security rates it 3 or below", () => {
    const unitDir = join(dir, "units");
    mkdirSync(unitDir, { recursive: true });
    const unit = join(unitDir, "signalbot.service");
    writeFileSync(unit, run(["--print-unit", "--bun", BUN]).out);
    const verify = Bun.spawnSync([ANALYZE!, "verify", unit], { stdout: "pipe", stderr: "pipe" });
    expect({ code: verify.exitCode, stderr: verify.stderr.toString() }).toEqual({ code: 0, stderr: "" });
    // --threshold is on systemd's internal 0-100 scale: 30 is the 3.0 the summary line prints.
    const security = Bun.spawnSync([ANALYZE!, "security", "--offline=true", "--threshold=30", unit], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const score = Number(
      /exposure level for signalbot\.service: ([\d.]+)/.exec(security.stdout.toString())?.[1],
    );
    console.log(`systemd-analyze security: ${score}`);
    expect(security.exitCode).toBe(0);
    expect(score).toBeLessThanOrEqual(3);
  });
});
