import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { configurationTable } from "./Config.ts";

test("the README's configuration table lists every variable exactly as Config.ts defines it", () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const section = readme.slice(
    readme.indexOf("<!-- section:configuration -->"),
    readme.indexOf("<!-- /section:configuration -->"),
  );
  expect(section).toContain(configurationTable());
});
