/**
 * The models a run registers, from a list such as MODELS or the backtest's `--models`: built-in names
 * (continuation, reversal) and paths of modules whose default export is a model or a list of models, in order —
 * `continuation,reversal,./examples/donchian/Donchian.ts`. Parsing is pure; loading imports the modules
 * (relative paths from the working directory). Every problem is reported, one line each.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { checkModels, DEFAULT_MODELS, isModel, isModelName, MODELS, type Model } from "@signalbot/core";
import { Data, Effect } from "effect";

/** What a run registers unless told otherwise: the built-in models. */
export const DEFAULT_MODEL_ENTRIES: readonly string[] = MODELS;

/** An entry naming a module rather than a built-in model: it has a directory separator or a script extension. */
export const isModelModule = (entry: string): boolean => /[/\\]|\.[cm]?[jt]s$/.test(entry);

/**
 * A comma-separated list of built-in names and module paths (empty: the built-in models), or why it is wrong:
 * an entry that is neither, or one listed twice.
 */
export const parseModelEntries = (
  raw: string | undefined,
): { readonly entries: readonly string[] } | { readonly problem: string } => {
  if (raw === undefined || raw.trim() === "") return { entries: DEFAULT_MODEL_ENTRIES };
  const list = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const wrong = list.filter((s) => !isModelModule(s) && !isModelName(s));
  if (wrong.length > 0)
    return {
      problem: `not a model name or a module path: ${wrong.map((s) => `"${s}"`).join(", ")} (e.g. continuation,reversal,./models/Breakout.ts)`,
    };
  const twice = list.filter((s, i) => list.indexOf(s) !== i);
  if (twice.length > 0)
    return { problem: `listed twice: ${[...new Set(twice)].map((s) => `"${s}"`).join(", ")}` };
  return { entries: list };
};

export type LoadedModels =
  | { readonly _tag: "Loaded"; readonly models: readonly Model[] }
  | { readonly _tag: "Invalid"; readonly problems: readonly string[] };

const BUILT_IN = new Map(DEFAULT_MODELS.map((m) => [m.name, m]));

/** The models of one module: its default export, a model or a list of them. */
const modelsOf = (entry: string, module: Record<string, unknown>): readonly Model[] | string => {
  const exported = module.default;
  const list = Array.isArray(exported) ? exported : [exported];
  if (exported !== undefined && list.length > 0 && list.every(isModel)) return list as Model[];
  const named = Object.keys(module).filter((k) => k !== "default" && isModel(module[k]));
  return exported === undefined
    ? `"${entry}" has no default export${named.length > 0 ? ` (it exports ${named.join(", ")}: add \`export default ${named[0]}\`)` : ""}; export default a model or a list of models`
    : `"${entry}": its default export is not a model (an object with a name and create) nor a list of models`;
};

/**
 * The models of `entries`, in order: built-in names resolved, modules imported (paths relative to `base`), then
 * the whole list checked as the analyzer will (`checkModels`: names, no name twice).
 */
export const loadModels = async (
  entries: readonly string[],
  base: string = process.cwd(),
): Promise<LoadedModels> => {
  const problems: string[] = [];
  const models: Model[] = [];
  for (const entry of entries) {
    if (!isModelModule(entry)) {
      const builtIn = BUILT_IN.get(entry);
      if (builtIn === undefined)
        problems.push(
          `unknown model "${entry}" (built-in: ${[...BUILT_IN.keys()].join(", ")}; a module is given by its path, e.g. ./models/${entry}.ts)`,
        );
      else models.push(builtIn);
      continue;
    }
    const path = isAbsolute(entry) ? entry : resolve(base, entry);
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (e) {
      problems.push(`cannot load "${entry}" (${path}): ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const found = modelsOf(entry, module);
    if (typeof found === "string") problems.push(found);
    else models.push(...found);
  }
  if (problems.length === 0)
    try {
      checkModels(models);
    } catch (e) {
      problems.push((e as Error).message);
    }
  return problems.length > 0 ? { _tag: "Invalid", problems } : { _tag: "Loaded", models };
};

/** A CLI's `--models` named a model that cannot be loaded; `message` has one line per problem. */
export class ModelLoadError extends Data.TaggedError("ModelLoadError")<{
  readonly problems: readonly string[];
  readonly message: string;
}> {}

/** `loadModels` as an Effect: the models, or a `ModelLoadError` whose lines start with `flag`. */
export const loadModelsOrFail = (
  entries: readonly string[],
  flag = "--models",
): Effect.Effect<readonly Model[], ModelLoadError> =>
  Effect.flatMap(
    Effect.promise(() => loadModels(entries)),
    (loaded) =>
      loaded._tag === "Loaded"
        ? Effect.succeed(loaded.models)
        : Effect.fail(
            new ModelLoadError({
              problems: loaded.problems,
              message: loaded.problems.map((p) => `${flag}: ${p}`).join("\n"),
            }),
          ),
  );

/**
 * Memory settings that name a model not registered (a typo, or a model left out of MODELS): the rule would
 * never act on it. Warnings, not errors — MODELS=continuation alone leaves rule 5a's default (reversal) idle.
 */
export const unregisteredMemoryModels = (
  models: readonly Model[],
  rules: { readonly disable: readonly string[]; readonly preferred: string },
): string[] => {
  const names = new Set(models.map((m) => m.name));
  const registered = [...names].join(", ");
  const out: string[] = [];
  for (const m of rules.disable)
    if (!names.has(m))
      out.push(
        `MEMORY_DISABLE_MODELS: "${m}" is not among MODELS (${registered}): rule 5a has nothing to watch there`,
      );
  if (!names.has(rules.preferred))
    out.push(
      `MEMORY_PREFERRED_MODEL: "${rules.preferred}" is not among MODELS (${registered}): rule 5b will never prefer a model`,
    );
  return out;
};
