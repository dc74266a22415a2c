import { describe, expect, test } from "bun:test";
import { docText, moduleHeader, renderApiReference, statements } from "./ApiReference.ts";

// As tsc emits a module: header, imports, a service's base, a class with a private member, overloads.
const SERVICE = `/**
 * Quotes: the last price of a symbol.
 */
import { Context, type Effect } from "effect";
/** A price, or why there is none. */
export type Quote = {
    readonly _tag: "Price";
    readonly price: number;
} | {
    readonly _tag: "Missing";
};
declare const Quotes_base: Context.ServiceClass<Quotes, "test/Quotes", {
    /** The last price. */
    readonly last: (symbol: string) => Effect.Effect<Quote>;
}>;
/** The port. */
export declare class Quotes extends Quotes_base {
}
export declare class Book {
    private readonly levels;
    /** Best bid. */
    get bid(): number;
}
/** One symbol. */
export declare function quote(symbol: string): Quote;
/** Many symbols. */
export declare function quote(symbols: readonly string[]): Quote[];
export {};
`;
const SOURCE = `/**
 * Quotes: the last price of a symbol.
 */
import { Context, type Effect } from "effect";
`;

describe("statements", () => {
  test("one per top-level declaration, with the doc comment right above it; bodies and member docs stay inside", () => {
    const s = statements(SERVICE);
    expect(s.map((x) => x.code.split("\n")[0])).toEqual([
      'import { Context, type Effect } from "effect";',
      "export type Quote = {",
      'declare const Quotes_base: Context.ServiceClass<Quotes, "test/Quotes", {',
      "export declare class Quotes extends Quotes_base {",
      "export declare class Book {",
      "export declare function quote(symbol: string): Quote;",
      "export declare function quote(symbols: readonly string[]): Quote[];",
      "export {};",
    ]);
    expect(s[1]).toEqual({
      doc: "/** A price, or why there is none. */",
      code: 'export type Quote = {\n    readonly _tag: "Price";\n    readonly price: number;\n} | {\n    readonly _tag: "Missing";\n};',
    });
    expect(s[2]!.doc).toBeUndefined();
  });
});

describe("moduleHeader", () => {
  test("the first comment when a blank line, an import or a re-export follows; not a declaration's own doc", () => {
    expect(moduleHeader(SOURCE)).toBe("Quotes: the last price of a symbol.");
    expect(moduleHeader("/** Sums. */\n\nexport const sum = 1;\n")).toBe("Sums.");
    expect(moduleHeader('/** Test support. */\nexport * from "./a.ts";\n')).toBe("Test support.");
    expect(moduleHeader("/** The sum. */\nexport const sum = 1;\n")).toBeUndefined();
    expect(moduleHeader("export const sum = 1;\n")).toBeUndefined();
  });

  test("doc text: markers dropped, @see spelled out", () => {
    expect(docText("/**\n * A rule.\n * @see https://example.com/rule\n */")).toBe(
      "A rule.\nSee https://example.com/rule",
    );
  });
});

describe("renderApiReference", () => {
  const reference = renderApiReference({
    title: "API reference: `quotes`",
    preface: "Generated.",
    entries: [{ name: "quotes", index: "index.d.ts" }],
    declarations: new Map([
      ["index.d.ts", 'export * from "./Quotes.ts";\n'],
      ["Quotes.d.ts", SERVICE],
    ]),
    sources: new Map([["Quotes", SOURCE]]),
  });

  test("per entry point, its modules in re-export order, each with its header once", () => {
    expect(
      reference.startsWith(
        "# API reference: `quotes`\n\nGenerated.\n\n## `quotes`\n\n[`Quotes`](#quotes)\n\n",
      ),
    ).toBe(true);
    expect(reference.split("Quotes: the last price of a symbol.").length).toBe(2);
    expect([...reference.matchAll(/^#### .*$/gm)].map((m) => m[0])).toEqual([
      "#### `Quote` (type)",
      "#### `Quotes` (class)",
      "#### `Book` (class)",
      "#### `quote` (function)",
    ]);
  });

  test("a service shows its shape, overloads share one entry, private members and imports are left out", () => {
    const section = (name: string) =>
      reference.slice(reference.indexOf(`#### \`${name}\``)).split("\n#### ")[0]!;
    expect(section("Quotes")).toContain("The port.");
    expect(section("Quotes")).toContain("readonly last: (symbol: string) => Effect.Effect<Quote>;");
    expect(section("Book")).not.toContain("private");
    expect(section("Book")).toContain("get bid(): number;");
    expect(section("quote")).toContain("One symbol.\n\nMany symbols.");
    expect(section("quote")).toContain(
      "quote(symbol: string): Quote;\nexport declare function quote(symbols",
    );
    expect(reference).not.toContain("import {");
    expect(reference).not.toContain("export {};");
  });

  test("a re-export without declarations is an error that names it", () => {
    expect(() =>
      renderApiReference({
        title: "t",
        preface: "",
        entries: [{ name: "quotes", index: "index.d.ts" }],
        declarations: new Map([["index.d.ts", 'export * from "./Gone.ts";\n']]),
        sources: new Map(),
      }),
    ).toThrow("quotes re-exports Gone, which has no declarations");
  });
});
