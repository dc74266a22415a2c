import { expect, test } from "bun:test";
import { makeRepeatedWarning } from "./RepeatedWarning.ts";

test("1,064 malformed frames in 30 s are 2 lines: the first at once, then the count; quiet again after", () => {
  const lines: string[] = [];
  const w = makeRepeatedWarning({
    what: "malformed frame",
    whereLabel: "shard",
    windowMs: 60_000,
    warn: (l) => lines.push(l),
  });
  for (let i = 0; i < 1064; i++) w.add(1000 + i * 28, i % 3 === 0 ? "2" : "1", `not JSON: junk ${i}`);
  w.flush(30_000);
  expect(lines).toHaveLength(1);
  w.flush(61_000);
  expect(lines).toEqual([
    "malformed frame on shard 2: not JSON: junk 0 (repeats are counted for 60 s)",
    "malformed frame: 1063 more in the last 60 s on shard 1, 2 (last: not JSON: junk 1063)",
  ]);
  // A window with nothing more: no line; the next frame after it is told at once again.
  w.flush(125_000);
  w.add(130_000, "3", "not an object");
  expect(lines).toHaveLength(3);
  expect(lines[2]).toBe("malformed frame on shard 3: not an object (repeats are counted for 60 s)");
});
