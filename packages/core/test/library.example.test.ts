/**
 * The example in docs/library.md runs as written: its code block is executed with Bun (as a user's file
 * importing "@signalbot/core") and its printed output must equal the output block below it. After an intended
 * change, `UPDATE_DOCS=1 bun test packages/core/test/library.example.test.ts` rewrites the output block.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const DOC = join(REPO, "docs/library.md");
// Inside the package, so "@signalbot/core" resolves as it does for a workspace user.
const dir = mkdtempSync(join(fileURLToPath(new URL("..", import.meta.url)), ".example-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const block = (doc: string, marker: string): { start: number; end: number; text: string } => {
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`no ${marker} in docs/library.md`);
  const start = doc.indexOf("\n", doc.indexOf("```", at)) + 1;
  const end = doc.indexOf("```", start);
  return { start, end, text: doc.slice(start, end) };
};

test("the docs/library.md example runs and prints what the page says", () => {
  const doc = readFileSync(DOC, "utf8");
  const file = join(dir, "example.ts");
  writeFileSync(file, block(doc, "<!-- example:library -->").text);
  // From the repository root, where the example finds `fixtures/klines`.
  const run = Bun.spawnSync(["bun", file], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
  expect(run.stderr.toString()).toBe("");
  const printed = run.stdout.toString();
  const output = block(doc, "<!-- output:library -->");
  if (process.env.UPDATE_DOCS === "1") {
    writeFileSync(DOC, doc.slice(0, output.start) + printed + doc.slice(output.end));
    return;
  }
  expect(printed).toBe(output.text);
});
