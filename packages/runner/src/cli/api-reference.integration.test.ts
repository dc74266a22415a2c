/** docs/api/core.md is what `bun run docs:api` writes from the current declarations: the reference cannot drift. */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { CORE_REFERENCE_FILE, coreReference } from "./api-reference.ts";

test("docs/api/core.md is up to date with the declarations of @signalbot/core (else: bun run docs:api)", () => {
  const fresh = coreReference();
  const committed = readFileSync(CORE_REFERENCE_FILE, "utf8");
  // Every export of both entry points has its entry.
  expect(fresh).toContain("#### `positionSize` (const)");
  expect(fresh).toContain("#### `loadKlines` (const)");
  if (committed !== fresh) {
    const at = [...committed].findIndex((c, i) => c !== fresh[i]);
    const line = committed.slice(0, at).split("\n").length;
    throw new Error(
      `docs/api/core.md differs from the declarations from line ${line} on: run \`bun run docs:api\``,
    );
  }
}, 60_000); // one tsc run: seconds, more on a loaded machine
