/**
 * The API reference of a published package as Markdown, rendered from the declarations tsc emits for it (what
 * a consumer's editor shows): per entry point, each re-exported module with its header comment, then each
 * export with its doc comment and its declaration. Pure: `Declarations.ts` emits the files.
 */

/** One entry point (`@signalbot/core/testing`) and the declaration file it starts from (`testing/index.d.ts`). */
export interface EntryPoint {
  readonly name: string;
  readonly index: string;
}

export interface ReferenceInput {
  readonly title: string;
  /** Markdown between the title and the first entry point. */
  readonly preface: string;
  readonly entries: readonly EntryPoint[];
  /** Declaration files by path relative to the output directory (`indicator/Ema.d.ts`). */
  readonly declarations: ReadonlyMap<string, string>;
  /** Module sources by the same path without extension (`indicator/Ema`), for their header comments. */
  readonly sources: ReadonlyMap<string, string>;
}

interface Statement {
  readonly doc: string | undefined;
  readonly code: string;
}

/** tsc prints each top-level statement from column 0 and indents its body; `}` lines close a body. */
const STATEMENT_START = /^(export |declare |import |type |interface )/;
const EXPORTED =
  /^export (?:declare )?(?:abstract )?(const|let|function|class|interface|type|namespace|enum) ([\w$]+)/;
const BASE = /^declare const ([\w$]+)_base: /;

/** A doc comment's text: the comment markers dropped, `@see x` as "See x". */
export const docText = (comment: string): string =>
  comment
    .replace(/^\/\*\*\s?/, "")
    .replace(/\s*\*\/$/, "")
    .split("\n")
    .map((l) => l.replace(/^\s*\* ?/, "").trimEnd())
    .join("\n")
    .replace(/^@see\s+/gm, "See ")
    .trim();

/**
 * A module's header: the doc comment a source file starts with, when a blank line, an import or a
 * re-export follows it (a comment directly above a declaration documents that declaration).
 */
export const moduleHeader = (source: string): string | undefined => {
  const m = /^\s*(\/\*\*[\s\S]*?\*\/)\n(\n|import |export \* )/.exec(source);
  return m === null ? undefined : docText(m[1]!);
};

/** The top-level statements of a declaration file, each with the doc comment right above it. */
export const statements = (text: string): Statement[] => {
  const out: Statement[] = [];
  let comment: string[] | undefined;
  let inComment = false;
  let doc: string | undefined;
  let code: string[] | undefined;
  const close = () => {
    if (code !== undefined) out.push({ doc, code: code.join("\n") });
    code = undefined;
  };
  for (const line of text.split("\n")) {
    if (inComment || line.startsWith("/**")) {
      if (!inComment) {
        close();
        comment = [];
      }
      comment!.push(line);
      inComment = !line.trimEnd().endsWith("*/");
      continue;
    }
    if (STATEMENT_START.test(line)) {
      close();
      doc = comment?.join("\n");
      comment = undefined;
      code = [line];
    } else if (code !== undefined && line !== "") {
      code.push(line);
    }
  }
  close();
  return out;
};

/** Private members say nothing to a user of the class. */
const withoutPrivates = (code: string): string =>
  code
    .split("\n")
    .filter((l) => !/^\s+private /.test(l))
    .join("\n");

interface Entry {
  readonly name: string;
  readonly kind: string;
  readonly docs: string[];
  readonly code: string[];
}

/** The exports of one declaration file in order: overloads together, a service class with its shape. */
const exportsOf = (text: string, header: string | undefined): Entry[] => {
  const all = statements(text);
  // A service's shape is the type argument of its base class; an error's base only repeats its fields.
  const shapes = new Map<string, string>();
  for (const s of all) {
    const base = BASE.exec(s.code);
    if (base !== null && s.code.includes("Context.ServiceClass<")) shapes.set(base[1]!, s.code);
  }
  const byName = new Map<string, Entry>();
  for (const s of all) {
    const m = EXPORTED.exec(s.code);
    if (m === null) continue;
    const [kind, name] = [m[1]!, m[2]!];
    let entry = byName.get(name);
    if (entry === undefined) {
      entry = { name, kind, docs: [], code: [] };
      byName.set(name, entry);
      const shape = shapes.get(name);
      if (shape !== undefined) entry.code.push(shape);
    }
    const doc = s.doc === undefined ? undefined : docText(s.doc);
    if (doc !== undefined && doc !== header) entry.docs.push(doc);
    entry.code.push(withoutPrivates(s.code));
  }
  return [...byName.values()];
};

const anchor = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\w\- ]/g, "")
    .replace(/ /g, "-");

const moduleSection = (path: string, text: string, header: string | undefined): string =>
  [
    `### \`${path}\``,
    ...(header === undefined ? [] : [header]),
    ...exportsOf(text, header).flatMap((e) => [
      `#### \`${e.name}\` (${e.kind})`,
      ...(e.docs.length > 0 ? [e.docs.join("\n\n")] : []),
      `\`\`\`ts\n${e.code.join("\n")}\n\`\`\``,
    ]),
  ].join("\n\n");

/** The whole reference: the title, the preface, then per entry point its modules in re-export order. */
export const renderApiReference = (input: ReferenceInput): string => {
  const parts = [`# ${input.title}`, input.preface.trim()];
  for (const entry of input.entries) {
    const index = input.declarations.get(entry.index);
    if (index === undefined) throw new Error(`no declarations for ${entry.name} (${entry.index})`);
    const dir = entry.index.slice(0, entry.index.lastIndexOf("/") + 1);
    const modules = [...index.matchAll(/^export \* from "\.\/(.+)\.ts";$/gm)].map((m) => `${dir}${m[1]}`);
    parts.push(`## \`${entry.name}\``, modules.map((m) => `[\`${m}\`](#${anchor(m)})`).join(" · "));
    for (const m of modules) {
      const text = input.declarations.get(`${m}.d.ts`);
      if (text === undefined) throw new Error(`${entry.name} re-exports ${m}, which has no declarations`);
      const source = input.sources.get(m);
      parts.push(moduleSection(m, text, source === undefined ? undefined : moduleHeader(source)));
    }
  }
  return `${parts.join("\n\n")}\n`;
};
