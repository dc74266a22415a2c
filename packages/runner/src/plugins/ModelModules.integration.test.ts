/**
 * Registering models from a list such as MODELS: built-in names and module paths, a module's default export a
 * model or a list, every problem named; and the memory settings that would watch a model not registered.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_MODELS } from "@signalbot/core";
import { aQuietModel } from "@signalbot/core/testing";
import { loadModels, parseModelEntries, unregisteredMemoryModels } from "./ModelModules.ts";

const CORE = fileURLToPath(new URL("../../../core/src/index.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "signalbot-model-modules-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A module file in `dir` whose models answer "no setup" on every candle. */
const moduleFile = (file: string, body: string): string => {
  writeFileSync(
    join(dir, file),
    `import { noSetup } from ${JSON.stringify(CORE)};\n` +
      "const model = (name) => ({ name, create: () => ({ warmup: {}, evaluate: () => noSetup(name, 'idle') }) });\n" +
      body,
  );
  return join(dir, file);
};

describe("parseModelEntries", () => {
  test("built-in names and module paths in order; empty is the built-in models; nonsense and repeats refused", () => {
    expect(parseModelEntries(undefined)).toEqual({ entries: ["continuation", "reversal"] });
    expect(parseModelEntries(" ")).toEqual({ entries: ["continuation", "reversal"] });
    expect(parseModelEntries("reversal, ./models/Breakout.ts ,C:\\bots\\turtle.js,donchian")).toEqual({
      entries: ["reversal", "./models/Breakout.ts", "C:\\bots\\turtle.js", "donchian"],
    });
    expect(parseModelEntries("reversal,Two Words")).toEqual({
      problem:
        'not a model name or a module path: "Two Words" (e.g. continuation,reversal,./models/Breakout.ts)',
    });
    expect(parseModelEntries("a.ts,reversal,a.ts")).toEqual({ problem: 'listed twice: "a.ts"' });
  });
});

describe("loadModels", () => {
  test("a module's default export may be one model or a list; relative paths are read from the base directory", async () => {
    moduleFile("One.ts", "export default model('one');\n");
    moduleFile("Pair.ts", "export default [model('two'), model('three')];\n");
    const loaded = await loadModels(["./One.ts", "reversal", join(dir, "Pair.ts")], dir);
    expect(loaded._tag === "Loaded" && loaded.models.map((m) => m.name)).toEqual([
      "one",
      "reversal",
      "two",
      "three",
    ]);
    // The built-in name resolves to core's own model, not a copy.
    expect(loaded._tag === "Loaded" && loaded.models[1]).toBe(DEFAULT_MODELS[1]!);
  });

  test("each problem is named: a named export without default, a default that is no model, a clash of names", async () => {
    const named = moduleFile("Named.ts", "export const breakout = model('breakout');\n");
    const number = moduleFile("Number.ts", "export default 20;\n");
    const clash = moduleFile("Clash.ts", "export default model('reversal');\n");
    const bad = await loadModels([named, number]);
    expect(bad._tag === "Invalid" && bad.problems).toEqual([
      `"${named}" has no default export (it exports breakout: add \`export default breakout\`); export default a model or a list of models`,
      `"${number}": its default export is not a model (an object with a name and create) nor a list of models`,
    ]);
    const twice = await loadModels(["reversal", clash]);
    expect(twice._tag === "Invalid" && twice.problems).toEqual(['two models are named "reversal"']);
  });
});

describe("unregisteredMemoryModels", () => {
  test("rule 5a or 5b set to watch a model that is not registered is warned about, naming the registered ones", () => {
    const donchian = aQuietModel("donchian");
    expect(
      unregisteredMemoryModels([...DEFAULT_MODELS, donchian], {
        disable: ["reversal", "donchian"],
        preferred: "donchian",
      }),
    ).toEqual([]);
    expect(
      unregisteredMemoryModels(DEFAULT_MODELS.slice(0, 1), { disable: ["reversal"], preferred: "donchain" }),
    ).toEqual([
      'MEMORY_DISABLE_MODELS: "reversal" is not among MODELS (continuation): rule 5a has nothing to watch there',
      'MEMORY_PREFERRED_MODEL: "donchain" is not among MODELS (continuation): rule 5b will never prefer a model',
    ]);
  });
});
