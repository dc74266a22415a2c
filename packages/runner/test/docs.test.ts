/**
 * What a newcomer reads works from a clone: every link and picture in the README and docs/ points at a file in
 * the repository, nothing sends them to files a clone does not have, and the licence the README promises is there.
 */
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const pages = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

test("every relative link and image in the README and docs/ exists in the repository", () => {
  const missing: string[] = [];
  for (const page of pages) {
    const text = readFileSync(join(ROOT, page), "utf8");
    const targets = [
      ...[...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!),
      ...[...text.matchAll(/<img[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!),
    ];
    for (const target of targets) {
      if (/^[a-z]+:/.test(target) || target.startsWith("#")) continue;
      const file = normalize(join(dirname(join(ROOT, page)), target.split("#")[0]!));
      if (!file.startsWith(ROOT) || !existsSync(file)) missing.push(`${page} → ${target}`);
    }
  }
  expect(missing).toEqual([]);
});

test("nothing points at files outside the repository", () => {
  const outside = /\.\.\/shared|shared folder|DESIGN\.md|seed README|requested stack/i;
  const found = pages.flatMap((p) =>
    readFileSync(join(ROOT, p), "utf8")
      .split("\n")
      .map((line, i) => ({ where: `${p}:${i + 1}`, line }))
      .filter((l) => outside.test(l.line))
      .map((l) => `${l.where}: ${l.line.trim()}`),
  );
  expect(found).toEqual([]);
});

test("MIT licence: the LICENSE file and every package.json say so", () => {
  expect(readFileSync(join(ROOT, "LICENSE"), "utf8").startsWith("MIT License\n")).toBe(true);
  const manifests = [
    "package.json",
    ...readdirSync(join(ROOT, "packages")).map((p) => `packages/${p}/package.json`),
  ];
  for (const m of manifests) {
    const pkg = JSON.parse(readFileSync(join(ROOT, m), "utf8")) as { license?: string; description?: string };
    expect([m, pkg.license, typeof pkg.description]).toEqual([m, "MIT", "string"]);
  }
});
