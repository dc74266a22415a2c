/**
 * The search space of a walk-forward: a grid file naming configuration paths and their candidate values,
 * expanded in full (grid search) or sampled with a seeded generator (random search). Every value is checked
 * against the configuration when the file is read, so a typo fails before hours of computing.
 *
 * ```json
 * { "parameters": { "memory.baseThreshold": [70, 75, 80], "strategy.adxMin": [15, 18, 22] },
 *   "fixed": { "memory.switches.symbolScorePenalty": false } }
 * ```
 */
import { makeRng } from "../random/Rng.ts";
import { applyPatch, type ConfigPatch, type PatchValue, pathProblem, type RunConfig } from "./RunConfig.ts";

export interface GridParameter {
  readonly path: string;
  readonly values: readonly PatchValue[];
}

export interface Grid {
  /** In file order: the first varies slowest in the grid order. */
  readonly parameters: readonly GridParameter[];
  /** Applied to every candidate (and to the base of ablations and setups). */
  readonly fixed: ConfigPatch;
}

/** No grid: one candidate, the defaults. */
export const EMPTY_GRID: Grid = { parameters: [], fixed: {} };

/** A grid larger than this needs `--samples`. */
export const MAX_GRID = 10_000;

export type ParsedGrid =
  | { readonly _tag: "Ok"; readonly grid: Grid }
  | { readonly _tag: "Invalid"; readonly problems: readonly string[] };

const isRecord = (v: unknown): v is Record<string, PatchValue> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads a grid file's text. Problems name the file and the path: unknown keys, a value of the wrong type, a
 * value the domain rejects in every combination (`strategy.rrMin = 5 ... rrMin must be positive and below
 * rrFull`). Combinations rejected only together are left out of the search later, counted.
 */
export const parseGrid = (text: string, source: string, base: RunConfig): ParsedGrid => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { _tag: "Invalid", problems: [`${source}: not valid JSON: ${(e as Error).message}`] };
  }
  if (!isRecord(json))
    return { _tag: "Invalid", problems: [`${source}: expected an object with "parameters" (and "fixed")`] };
  const problems: string[] = [];
  for (const key of Object.keys(json))
    if (key !== "parameters" && key !== "fixed")
      problems.push(`${source}: unknown key "${key}" (expected "parameters" and optionally "fixed")`);
  const fixedRaw = json.fixed ?? {};
  if (!isRecord(fixedRaw)) problems.push(`${source}: "fixed" must be an object of path: value`);
  const fixed: ConfigPatch = isRecord(fixedRaw) ? fixedRaw : {};
  for (const [path, value] of Object.entries(fixed)) {
    const p = pathProblem(path, value);
    if (p !== undefined) problems.push(`${source}: fixed ${p}`);
  }
  const paramsRaw = json.parameters;
  if (!isRecord(paramsRaw) || Object.keys(paramsRaw).length === 0) {
    problems.push(
      `${source}: "parameters" must be an object of path: [candidate values], with at least one path`,
    );
    return { _tag: "Invalid", problems };
  }
  if (problems.length > 0) return { _tag: "Invalid", problems };
  const fixedBase = applyPatch(base, fixed);
  if (fixedBase._tag === "Invalid")
    return { _tag: "Invalid", problems: fixedBase.problems.map((p) => `${source}: fixed ${p}`) };
  const parameters: GridParameter[] = [];
  for (const [path, values] of Object.entries(paramsRaw)) {
    if (path in fixed) problems.push(`${source}: "${path}" is both fixed and searched`);
    if (!Array.isArray(values) || values.length === 0) {
      problems.push(`${source}: ${path}: expected a non-empty list of candidate values`);
      continue;
    }
    const seen = new Set<string>();
    for (const value of values) {
      const key = JSON.stringify(value);
      if (seen.has(key)) problems.push(`${source}: ${path}: ${key} is listed twice`);
      seen.add(key);
      const shape = pathProblem(path, value);
      if (shape !== undefined) problems.push(`${source}: ${shape}`);
    }
    parameters.push({ path, values });
  }
  if (problems.length > 0) return { _tag: "Invalid", problems };
  const grid = { parameters, fixed };
  const dead = deadValues(grid, fixedBase.config).map((p) => `${source}: ${p}`);
  return dead.length > 0 ? { _tag: "Invalid", problems: dead } : { _tag: "Ok", grid };
};

/**
 * Values the domain rejects in every combination they are part of (`strategy.rrMin = 5` with every listed
 * `strategy.rrFull` below it): certainly a mistake. A grid too large to enumerate is checked value by value
 * against the base instead.
 */
const deadValues = (grid: Grid, base: RunConfig): string[] => {
  const why = grid.parameters.map((p) => p.values.map((): string | undefined => "?"));
  const size = gridSize(grid);
  if (size > MAX_GRID) {
    for (let i = 0; i < grid.parameters.length; i++) {
      const p = grid.parameters[i]!;
      for (let j = 0; j < p.values.length; j++) {
        const r = applyPatch(base, { [p.path]: p.values[j]! });
        why[i]![j] = r._tag === "Ok" ? undefined : r.problems.join("; ");
      }
    }
  } else {
    for (let k = 0; k < size; k++) {
      const choice = choiceOf(grid, k);
      const r = applyPatch(base, patchOf(grid, choice));
      for (let i = 0; i < choice.length; i++) {
        const j = choice[i]!;
        if (why[i]![j] === undefined) continue;
        if (r._tag === "Ok") why[i]![j] = undefined;
        else if (why[i]![j] === "?") why[i]![j] = r.problems.join("; ");
      }
    }
  }
  return grid.parameters.flatMap((p, i) =>
    p.values.flatMap((v, j) => {
      const reason = why[i]![j];
      return reason === undefined
        ? []
        : [`${p.path} = ${JSON.stringify(v)} is rejected in every combination: ${reason}`];
    }),
  );
};

/** Combinations in the grid. */
export const gridSize = (grid: Grid): number => grid.parameters.reduce((n, p) => n * p.values.length, 1);

export interface Candidate {
  /** Position in the search (grid order, or draw order): the tie-breaker of the selection. */
  readonly index: number;
  /** The searched values (the grid's `fixed` is in `config`, not here). */
  readonly patch: ConfigPatch;
  readonly config: RunConfig;
}

export interface Search {
  readonly kind: "grid" | "random";
  readonly candidates: readonly Candidate[];
  /** Combinations the grid holds. */
  readonly space: number;
  /** Combinations left out because the domain rejects them together (e.g. rrMin ≥ rrFull). */
  readonly invalid: number;
  /** The first of those, with why. */
  readonly firstInvalid?: string;
}

const patchOf = (grid: Grid, choice: readonly number[]): ConfigPatch =>
  Object.fromEntries(grid.parameters.map((p, i) => [p.path, p.values[choice[i]!]!]));

/** The value positions of combination `k` in grid order (the first parameter varies slowest). */
const choiceOf = (grid: Grid, k: number): number[] => {
  const out = new Array<number>(grid.parameters.length);
  for (let i = grid.parameters.length - 1; i >= 0; i--) {
    const n = grid.parameters[i]!.values.length;
    out[i] = k % n;
    k = Math.floor(k / n);
  }
  return out;
};

const collect = (
  kind: Search["kind"],
  grid: Grid,
  base: RunConfig,
  choices: Iterable<readonly number[]>,
  limit: number,
): Search => {
  const fixedBase = applyPatch(base, grid.fixed);
  if (fixedBase._tag === "Invalid")
    throw new Error(`grid.fixed is invalid: ${fixedBase.problems.join("; ")}`);
  const candidates: Candidate[] = [];
  let invalid = 0;
  let firstInvalid: string | undefined;
  for (const choice of choices) {
    if (candidates.length >= limit) break;
    const patch = patchOf(grid, choice);
    const r = applyPatch(fixedBase.config, patch);
    if (r._tag === "Ok") candidates.push({ index: candidates.length, patch, config: r.config });
    else {
      invalid++;
      firstInvalid ??= `${JSON.stringify(patch)}: ${r.problems.join("; ")}`;
    }
  }
  return {
    kind,
    candidates,
    space: gridSize(grid),
    invalid,
    ...(firstInvalid === undefined ? {} : { firstInvalid }),
  };
};

/** Every combination, in grid order. */
export const gridSearch = (grid: Grid, base: RunConfig): Search => {
  const size = gridSize(grid);
  function* all() {
    for (let k = 0; k < size; k++) yield choiceOf(grid, k);
  }
  return collect("grid", grid, base, all(), Number.POSITIVE_INFINITY);
};

/**
 * `samples` distinct valid combinations drawn uniformly with the seeded generator, in draw order (the whole
 * grid, shuffled, when it holds no more). The same grid, samples and seed give the same candidates.
 */
export const randomSearch = (grid: Grid, base: RunConfig, samples: number, seed: number): Search => {
  const size = gridSize(grid);
  const rng = makeRng(seed);
  function* draws() {
    if (size <= 4 * samples) {
      // Small space: a seeded shuffle of every combination (no rejection loop near exhaustion).
      const order = Array.from({ length: size }, (_, k) => k);
      for (let i = size - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const k of order) yield choiceOf(grid, k);
      return;
    }
    const seen = new Set<string>();
    while (seen.size < size) {
      const choice = grid.parameters.map((p) => rng.int(0, p.values.length - 1));
      const key = choice.join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      yield choice;
    }
  }
  return collect("random", grid, base, draws(), samples);
};
