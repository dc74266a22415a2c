import { afterAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listReports, reportCsp, reportPath } from "./Reports.ts";

const dir = mkdtempSync(join(tmpdir(), "signalbot-reports-"));
const reports = join(dir, "reports");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

mkdirSync(join(reports, "2025"), { recursive: true });
writeFileSync(
  join(reports, "backtest.html"),
  "<html><head><title>signalbot backtest · 2025</title></head></html>",
);
writeFileSync(join(reports, "2025", "walkforward.json"), '{"schemaVersion":2}');
writeFileSync(join(reports, "notes.txt"), "not a report");
writeFileSync(join(dir, "secret.json"), '{"token":"x"}');
symlinkSync(join(dir, "secret.json"), join(reports, "escape.json"));
utimesSync(join(reports, "backtest.html"), 1000, 1000);

test("the folder's .html and .json reports are listed newest first, with the HTML title (links are not)", () => {
  const list = listReports(reports);
  expect(list.map((r) => [r.name, r.kind])).toEqual([
    ["2025/walkforward.json", "json"],
    ["backtest.html", "html"],
  ]);
  expect(list.find((r) => r.kind === "html")?.title).toBe("signalbot backtest · 2025");
  expect(listReports(join(dir, "missing"))).toEqual([]);
});

test("only reports inside the folder can be opened: no ../, no hidden names, no link out of it", () => {
  expect(reportPath(reports, "backtest.html")).toEndWith("/reports/backtest.html");
  expect(reportPath(reports, "2025/walkforward.json")).toEndWith("/reports/2025/walkforward.json");
  for (const name of [
    "../secret.json",
    "2025/../../secret.json",
    ".hidden.html",
    "notes.txt",
    "escape.json",
    "/etc/passwd",
  ])
    expect([name, reportPath(reports, name)]).toEqual([name, undefined]);
});

test("a report's CSP allows exactly its own inline script and style, by hash", () => {
  const script = "document.title='x'";
  const style = "body{color:red}";
  const csp = reportCsp(`<style>${style}</style><body><script>${script}</script></body>`);
  const hash = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;
  expect(csp).toContain(`script-src ${hash(script)}`);
  expect(csp).toContain(`style-src ${hash(style)}`);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(reportCsp("<p>plain</p>")).toContain("script-src 'none'");
});
