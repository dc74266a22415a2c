import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { type Grid, gridSearch, gridSize, parseGrid, randomSearch } from "./Grid.ts";
import { DEFAULT_RUN_CONFIG } from "./RunConfig.ts";

const parse = (json: unknown) => parseGrid(JSON.stringify(json), "grid.json", DEFAULT_RUN_CONFIG);
const grid = (json: unknown): Grid => {
  const r = parse(json);
  if (r._tag !== "Ok") throw new Error(r.problems.join("\n"));
  return r.grid;
};
const problemsOf = (text: string) => {
  const r = parseGrid(text, "grid.json", DEFAULT_RUN_CONFIG);
  return r._tag === "Invalid" ? r.problems : [];
};

describe("grid files", () => {
  test("the committed example is valid", () => {
    const path = new URL("../../../../research/grid.example.json", import.meta.url).pathname;
    const r = parseGrid(readFileSync(path, "utf8"), path, DEFAULT_RUN_CONFIG);
    expect(r._tag).toBe("Ok");
  });

  test("every problem is named with the file and the path", () => {
    expect(problemsOf("{ nope")[0]).toStartWith("grid.json: not valid JSON:");
    expect(problemsOf("[]")).toEqual(['grid.json: expected an object with "parameters" (and "fixed")']);
    expect(
      problemsOf(JSON.stringify({ parameters: { "memory.baseThreshold": [75] }, objective: "x" })),
    ).toEqual(['grid.json: unknown key "objective" (expected "parameters" and optionally "fixed")']);
    expect(problemsOf(JSON.stringify({ parameters: {} }))[0]).toContain('"parameters" must be an object');
    expect(
      problemsOf(
        JSON.stringify({
          parameters: {
            "strategy.adxMn": [15],
            "strategy.adxMax": [1],
            "memory.baseThreshold": [70, "80", 70],
            "pipeline.timeoutCandles": [],
          },
        }),
      ),
    ).toEqual([
      expect.stringContaining(
        'grid.json: unknown parameter "strategy.adxMn"; did you mean "strategy.adxMin"?',
      ),
      expect.stringContaining('grid.json: unknown parameter "strategy.adxMax"'),
      'grid.json: memory.baseThreshold: expected a number, got "80"',
      "grid.json: memory.baseThreshold: 70 is listed twice",
      "grid.json: pipeline.timeoutCandles: expected a non-empty list of candidate values",
    ]);
    // rrMin 5 is below no listed rrFull; rrMin 3.5 is fine with rrFull 4 (that pair is searched, 3.5/3 is not).
    expect(
      problemsOf(
        JSON.stringify({ parameters: { "strategy.rrMin": [1.5, 3.5, 5], "strategy.rrFull": [3, 4] } }),
      ),
    ).toEqual([
      "grid.json: strategy.rrMin = 5 is rejected in every combination: strategy: rrMin must be positive and below rrFull",
    ]);
    expect(
      problemsOf(
        JSON.stringify({
          parameters: { "memory.baseThreshold": [70] },
          fixed: { "memory.baseThreshold": 75 },
        }),
      ),
    ).toEqual(['grid.json: "memory.baseThreshold" is both fixed and searched']);
    expect(
      problemsOf(
        JSON.stringify({ parameters: { "memory.baseThreshold": [70] }, fixed: { "memory.enabld": false } }),
      ),
    ).toEqual([
      expect.stringContaining(
        'grid.json: fixed unknown parameter "memory.enabld"; did you mean "memory.enabled"?',
      ),
    ]);
  });
});

describe("grid search", () => {
  test("every combination once, the first parameter varying slowest, `fixed` in every configuration", () => {
    const g = grid({
      parameters: { "memory.baseThreshold": [70, 80], "strategy.adxMin": [15, 18, 22] },
      fixed: { "memory.enabled": false },
    });
    const s = gridSearch(g, DEFAULT_RUN_CONFIG);
    expect(gridSize(g)).toBe(6);
    expect(s.candidates.map((c) => c.patch)).toEqual([
      { "memory.baseThreshold": 70, "strategy.adxMin": 15 },
      { "memory.baseThreshold": 70, "strategy.adxMin": 18 },
      { "memory.baseThreshold": 70, "strategy.adxMin": 22 },
      { "memory.baseThreshold": 80, "strategy.adxMin": 15 },
      { "memory.baseThreshold": 80, "strategy.adxMin": 18 },
      { "memory.baseThreshold": 80, "strategy.adxMin": 22 },
    ]);
    expect(s.candidates.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const c of s.candidates) {
      expect(c.config.memory.enabled).toBe(false);
      expect(c.config.memory.baseThreshold).toBe(c.patch["memory.baseThreshold"] as number);
    }
  });

  test("combinations the domain rejects together are left out, counted, the first one explained", () => {
    const s = gridSearch(
      grid({ parameters: { "strategy.rrMin": [1.5, 3.5], "strategy.rrFull": [3, 4] } }),
      DEFAULT_RUN_CONFIG,
    );
    expect(s.space).toBe(4);
    expect(s.candidates.map((c) => c.patch)).toEqual([
      { "strategy.rrMin": 1.5, "strategy.rrFull": 3 },
      { "strategy.rrMin": 1.5, "strategy.rrFull": 4 },
      { "strategy.rrMin": 3.5, "strategy.rrFull": 4 },
    ]);
    expect(s.invalid).toBe(1);
    expect(s.firstInvalid).toContain(
      '{"strategy.rrMin":3.5,"strategy.rrFull":3}: strategy: rrMin must be positive and below rrFull',
    );
  });
});

describe("random search", () => {
  const big = grid({
    parameters: {
      "memory.baseThreshold": [65, 70, 75, 80, 85],
      "strategy.adxMin": [12, 15, 18, 22, 25, 30],
      "pipeline.timeoutCandles": [12, 24, 48, 96],
      "strategy.pullbackWindow": [3, 4, 5, 6, 8],
    },
  });
  const key = (p: object) => JSON.stringify(p);

  test("N distinct combinations of the grid, the same for the same seed, others for another", () => {
    const a = randomSearch(big, DEFAULT_RUN_CONFIG, 20, 7);
    const b = randomSearch(big, DEFAULT_RUN_CONFIG, 20, 7);
    const c = randomSearch(big, DEFAULT_RUN_CONFIG, 20, 8);
    expect(a.kind).toBe("random");
    expect(a.candidates).toHaveLength(20);
    expect(new Set(a.candidates.map((x) => key(x.patch))).size).toBe(20);
    expect(b.candidates.map((x) => x.patch)).toEqual(a.candidates.map((x) => x.patch));
    expect(c.candidates.map((x) => key(x.patch))).not.toEqual(a.candidates.map((x) => key(x.patch)));
    const all = new Set(gridSearch(big, DEFAULT_RUN_CONFIG).candidates.map((x) => key(x.patch)));
    for (const x of a.candidates) expect(all.has(key(x.patch))).toBe(true);
    expect(a.candidates.map((x) => x.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test("asking for as many as the grid holds gives the whole grid, shuffled by the seed", () => {
    const small = grid({ parameters: { "memory.baseThreshold": [70, 75, 80], "strategy.adxMin": [15, 18] } });
    const s = randomSearch(small, DEFAULT_RUN_CONFIG, 50, 3);
    expect(s.candidates).toHaveLength(6);
    expect(new Set(s.candidates.map((x) => key(x.patch)))).toEqual(
      new Set(gridSearch(small, DEFAULT_RUN_CONFIG).candidates.map((x) => key(x.patch))),
    );
  });
});
