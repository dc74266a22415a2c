/**
 * The library examples run as written: docs/library.md's and the README's custom-model example. Each code block
 * is type-checked with the repository's strict settings and executed with Bun (as a user's file importing
 * "@signalbot/core"), and its printed output must equal the output block below it. After an intended change,
 * `UPDATE_DOCS=1 bun test packages/core/test/library.example.test.ts` rewrites the output blocks.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
// Inside the package, so "@signalbot/core" resolves as it does for a workspace user.
const dir = mkdtempSync(join(fileURLToPath(new URL("..", import.meta.url)), ".example-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each example: the page, and the name in its `<!-- example:NAME -->` and `<!-- output:NAME -->` markers. */
const EXAMPLES = [
  { page: "docs/library.md", name: "library" },
  { page: "README.md", name: "custom-model" },
] as const;

const block = (doc: string, marker: string): { start: number; end: number; text: string } => {
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`no ${marker}`);
  const start = doc.indexOf("\n", doc.indexOf("```", at)) + 1;
  const end = doc.indexOf("```", start);
  return { start, end, text: doc.slice(start, end) };
};

const fileOf = (name: string) => join(dir, `${name}.ts`);
for (const { page, name } of EXAMPLES)
  writeFileSync(fileOf(name), block(readFileSync(join(REPO, page), "utf8"), `<!-- example:${name} -->`).text);

test("the examples type-check with the repository's strict settings", () => {
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ extends: join(REPO, "tsconfig.json"), include: ["*.ts"], exclude: [] }),
  );
  const tsc = Bun.spawnSync([join(REPO, "node_modules/.bin/tsc"), "-p", dir], {
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe("");
  expect(tsc.exitCode).toBe(0);
}, 60_000);

for (const { page, name } of EXAMPLES)
  test(`the ${page} example "${name}" runs and prints what the page says`, () => {
    // From the repository root, where the example finds `fixtures/klines`.
    const run = Bun.spawnSync(["bun", fileOf(name)], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
    expect(run.stderr.toString()).toBe("");
    const printed = run.stdout.toString();
    const path = join(REPO, page);
    const doc = readFileSync(path, "utf8");
    const output = block(doc, `<!-- output:${name} -->`);
    if (process.env.UPDATE_DOCS === "1") {
      writeFileSync(path, doc.slice(0, output.start) + printed + doc.slice(output.end));
      return;
    }
    expect(printed).toBe(output.text);
  });
