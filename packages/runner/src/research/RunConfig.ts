/**
 * One typed configuration of a backtest run — the strategy's parameters, the memory's settings and rule
 * switches, the pipeline's trade rules — and the dotted paths a grid file or a fitted patch addresses in it
 * (`strategy.adxMin`, `memory.switches.lossStreakPause`, `memory.rules.lossStreakPause.hours`,
 * `pipeline.timeoutCandles`). A patch is validated against the default's shape (unknown path, wrong type) and
 * the result against the domain's rules, each problem one clear line.
 */
import {
  AUTOMATIC_RULES,
  type AutomaticRule,
  DEFAULT_MEMORY_RULES,
  DEFAULT_PARAMS,
  DEFAULT_PIPELINE_CONFIG,
  defaultMemoryConfig,
  type MemoryRulesConfig,
  makeParams,
  memoryRulesProblems,
  type StrategyParams,
} from "@signalbot/core";

export interface RunConfig {
  /** The models, levels and scoring (core's `StrategyParams`). */
  readonly strategy: StrategyParams;
  readonly memory: {
    /** false = the memory layer is off (never blocks, never adjusts). */
    readonly enabled: boolean;
    readonly baseThreshold: number;
    readonly baseMaxSignalsPerDay: number;
    readonly baseRiskPercent: number;
    readonly startingBalance: number;
    /** Every automatic rule, on (true) or off (core's `disabledRules`). */
    readonly switches: Readonly<Record<AutomaticRule, boolean>>;
    /** The rules' windows, thresholds, pause and cooldown lengths (core's `MemoryRulesConfig`, MEMORY_*). */
    readonly rules: MemoryRulesConfig;
  };
  readonly pipeline: {
    /** Closed 30m candles after which an unresolved trade closes at the close. */
    readonly timeoutCandles: number;
    readonly maxOpenTradesPerSymbol: number;
  };
}

/** Values a path can take: what JSON holds. */
export type PatchValue =
  | number
  | boolean
  | string
  | null
  | readonly PatchValue[]
  | { [k: string]: PatchValue };

/** Dotted path → value, applied over a configuration. */
export type ConfigPatch = Readonly<Record<string, PatchValue>>;

/** The live bot's defaults. */
export const DEFAULT_RUN_CONFIG: RunConfig = {
  strategy: DEFAULT_PARAMS,
  memory: {
    enabled: defaultMemoryConfig.enabled,
    baseThreshold: defaultMemoryConfig.baseThreshold,
    baseMaxSignalsPerDay: defaultMemoryConfig.baseMaxSignalsPerDay,
    baseRiskPercent: defaultMemoryConfig.baseRiskPercent,
    startingBalance: defaultMemoryConfig.startingBalance,
    switches: Object.fromEntries(AUTOMATIC_RULES.map((name) => [name, true])) as Record<
      AutomaticRule,
      boolean
    >,
    rules: DEFAULT_MEMORY_RULES,
  },
  pipeline: {
    timeoutCandles: DEFAULT_PIPELINE_CONFIG.timeoutCandles,
    maxOpenTradesPerSymbol: DEFAULT_PIPELINE_CONFIG.maxOpenTradesPerSymbol,
  },
};

type Node = unknown;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Edit distance, for "did you mean" hints. */
const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
};

/** Every path of the configuration down to its leaves (numbers, booleans, number lists). */
export const configPaths = (node: Node = DEFAULT_RUN_CONFIG, prefix = ""): string[] =>
  isRecord(node)
    ? Object.entries(node).flatMap(([k, v]) => configPaths(v, prefix === "" ? k : `${prefix}.${k}`))
    : [prefix];

/** The known path a typo most likely meant: a few edits away, or the same name with more around it. */
const nearest = (path: string): string | undefined => {
  const wanted = path.toLowerCase();
  const leaf = wanted.slice(wanted.lastIndexOf(".") + 1);
  const scored = configPaths().map((p) => {
    const known = p.toLowerCase();
    const contains = leaf.length >= 4 && known.slice(known.lastIndexOf(".") + 1).includes(leaf);
    return { p, d: contains ? 0.5 : distance(known, wanted) };
  });
  const best = scored.sort((a, b) => a.d - b.d)[0];
  return best !== undefined && best.d <= Math.max(3, Math.floor(path.length / 5)) ? best.p : undefined;
};

const unknownPath = (path: string, known: readonly string[]): string => {
  const near = nearest(path);
  const hint = near !== undefined ? `; did you mean "${near}"?` : "";
  return `unknown parameter "${path}"${hint} (known here: ${known.join(", ")})`;
};

/** Why `value` cannot stand where `like` stands, or undefined when it can. */
const shapeProblem = (path: string, like: Node, value: unknown): string | undefined => {
  if (typeof like === "number")
    return typeof value === "number" && Number.isFinite(value)
      ? undefined
      : `${path}: expected a number, got ${show(value)}`;
  if (typeof like === "boolean")
    return typeof value === "boolean" ? undefined : `${path}: expected true or false, got ${show(value)}`;
  if (Array.isArray(like)) {
    if (!Array.isArray(value) || value.length !== like.length)
      return `${path}: expected a list of ${like.length} numbers, got ${show(value)}`;
    for (let i = 0; i < like.length; i++) {
      const p = shapeProblem(`${path}[${i}]`, like[i], value[i]);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  if (isRecord(like)) {
    if (!isRecord(value)) return `${path}: expected an object with ${Object.keys(like).join(", ")}`;
    for (const k of Object.keys(value))
      if (!(k in like)) return unknownPath(`${path}.${k}`, Object.keys(like));
    for (const [k, v] of Object.entries(like)) {
      if (!(k in value)) return `${path}: missing ${k}`;
      const p = shapeProblem(`${path}.${k}`, v, value[k]);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  return `${path}: cannot be set`;
};

/** A copy of `node` with `value` at `keys`. */
const setIn = (node: Node, keys: readonly string[], value: unknown): Node => {
  if (keys.length === 0) return value;
  const [head, ...rest] = keys;
  const record = node as Record<string, unknown>;
  return { ...record, [head!]: setIn(record[head!], rest, value) };
};

/** Why the path cannot be set with this value (unknown key, wrong type), or undefined. */
export const pathProblem = (path: string, value: unknown): string | undefined => {
  const keys = path.split(".");
  let node: Node = DEFAULT_RUN_CONFIG;
  for (let i = 0; i < keys.length; i++) {
    if (!isRecord(node) || !(keys[i]! in node))
      return unknownPath(path, isRecord(node) ? Object.keys(node) : []);
    node = node[keys[i]!];
  }
  return shapeProblem(path, node, value);
};

const integerAtLeast = (path: string, v: number, min: number): string | undefined =>
  Number.isInteger(v) && v >= min ? undefined : `${path}: expected an integer ≥ ${min}, got ${v}`;

/** The domain's rules on a whole configuration (weights sum to 100, periods are integers...), one line each. */
export const configProblems = (config: RunConfig): string[] => {
  const problems: string[] = [];
  try {
    makeParams(config.strategy);
  } catch (e) {
    problems.push(`strategy: ${(e as Error).message}`);
  }
  const m = config.memory;
  if (!(m.baseThreshold >= 0 && m.baseThreshold <= 100))
    problems.push(`memory.baseThreshold: expected a score from 0 to 100, got ${m.baseThreshold}`);
  const cap = integerAtLeast("memory.baseMaxSignalsPerDay", m.baseMaxSignalsPerDay, 1);
  if (cap !== undefined) problems.push(cap);
  if (!(m.baseRiskPercent > 0 && m.baseRiskPercent <= 100))
    problems.push(`memory.baseRiskPercent: expected a percentage in (0, 100], got ${m.baseRiskPercent}`);
  if (!(m.startingBalance > 0))
    problems.push(`memory.startingBalance: expected a positive amount, got ${m.startingBalance}`);
  problems.push(...memoryRulesProblems(m.rules, (path) => `memory.rules.${path}`));
  for (const [path, v] of [
    ["pipeline.timeoutCandles", config.pipeline.timeoutCandles],
    ["pipeline.maxOpenTradesPerSymbol", config.pipeline.maxOpenTradesPerSymbol],
  ] as const) {
    const p = integerAtLeast(path, v, 1);
    if (p !== undefined) problems.push(p);
  }
  return problems;
};

export type Patched =
  | { readonly _tag: "Ok"; readonly config: RunConfig }
  | { readonly _tag: "Invalid"; readonly problems: readonly string[] };

/** `patch` applied over `base` (paths in order), checked for shape and then for the domain's rules. */
export const applyPatch = (base: RunConfig, patch: ConfigPatch): Patched => {
  const problems: string[] = [];
  let config: Node = base;
  for (const [path, value] of Object.entries(patch)) {
    const p = pathProblem(path, value);
    if (p === undefined) config = setIn(config, path.split("."), value);
    else problems.push(p);
  }
  if (problems.length > 0) return { _tag: "Invalid", problems };
  const rules = configProblems(config as RunConfig);
  return rules.length > 0
    ? { _tag: "Invalid", problems: rules }
    : { _tag: "Ok", config: config as RunConfig };
};

/** "memory.baseThreshold=80 strategy.adxMin=22" (no patch: "defaults"). */
export const describePatch = (patch: ConfigPatch): string => {
  const entries = Object.entries(patch);
  return entries.length === 0 ? "defaults" : entries.map(([k, v]) => `${k}=${show(v)}`).join(" ");
};
