import { expect, test } from "bun:test";
import fc from "fast-check";
import { bold, code, escapeHtml, htmlToPlain, plain, splitText, toHtml, toPlain } from "./Message.ts";

test("HTML escaping of <, > and & in every span; plain text keeps them", () => {
  const doc = { lines: [[plain("a < b & c > d "), bold("<b>"), code("x&y")]] };
  expect(toHtml(doc)).toBe("a &lt; b &amp; c &gt; d <b>&lt;b&gt;</b><code>x&amp;y</code>");
  expect(toPlain(doc)).toBe("a < b & c > d <b>x&y");
  expect(htmlToPlain(toHtml(doc))).toBe(toPlain(doc));
});

test("short text is one part", () => {
  expect(splitText("hello\nworld")).toEqual(["hello\nworld"]);
});

test("long text splits at line boundaries, every part within the limit, nothing lost", () => {
  const lines = Array.from({ length: 400 }, (_, i) => `dòng ${i}: ${"x".repeat(i % 37)}`);
  const text = lines.join("\n");
  const parts = splitText(text, 4096);
  expect(parts.length).toBeGreaterThan(1);
  for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
  expect(parts.join("\n")).toBe(text);
  for (const p of parts) expect(lines).toContain(p.split("\n")[0]!);
});

test("property: parts fit, and rejoining them gives the text back (lines never longer than max)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ maxLength: 50 }), { maxLength: 200 }),
      fc.integer({ min: 50, max: 500 }),
      (ls, max) => {
        const text = ls.map((l) => l.replaceAll("\n", " ")).join("\n");
        const parts = splitText(text, max);
        for (const p of parts) expect(p.length).toBeLessThanOrEqual(max);
        expect(parts.join("\n")).toBe(text);
      },
    ),
  );
});

test("a single over-long line is cut hard but never inside an entity", () => {
  const line = escapeHtml("&".repeat(3000));
  const parts = splitText(line, 4096);
  for (const p of parts) {
    expect(p.length).toBeLessThanOrEqual(4096);
    expect(p.endsWith("&amp;")).toBe(true);
  }
  expect(parts.join("")).toBe(line);
});
