import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Notification } from "@signalbot/core";
import { aSignal, T0 } from "@signalbot/core/testing";
import { Effect } from "effect";
import { toHtml } from "../telegram/Message.ts";
import { render } from "../telegram/templates.ts";
import { foreignWords } from "../testing/Wording.ts";
import { makeConsoleNotifier, renderPlain } from "./ConsoleNotifier.ts";

const golden = (name: string) =>
  readFileSync(new URL(`../telegram/__golden__/${name}`, import.meta.url), "utf8").trimEnd();

test("prints the same words as Telegram, without HTML", async () => {
  const out: string[] = [];
  const notifier = makeConsoleNotifier({ write: (t) => out.push(t) });
  const n: Notification = {
    _tag: "Alert",
    alert: { kind: "error", message: "database is locked <sqlite> & retrying" },
    time: T0,
  };
  await Effect.runPromise(notifier.deliver(n));
  expect(out).toHaveLength(1);
  expect(out[0]).toContain(golden("alert-error.txt"));
  expect(out[0]).not.toContain("&amp;");
  expect(out[0]).not.toContain("<i>");
});

test("a signal in plain text carries every line of its Telegram message", () => {
  const n: Notification = { _tag: "NewSignal", signal: aSignal() };
  const plain = renderPlain(n);
  const html = toHtml(render(n));
  expect(plain.split("\n")).toHaveLength(html.split("\n").length);
  expect(plain).toContain("🟢 MUA / LONG BTCUSDT");
  expect(plain).not.toMatch(/<\/?(b|i|code)>/);
  expect(foreignWords(plain)).toEqual([]);
});

test("command replies (HTML) are printed as text", () => {
  expect(renderPlain({ _tag: "Reply", text: "<b>Trạng thái</b> 1 &lt; 2 &amp; 3", time: 0 })).toBe(
    "Trạng thái 1 < 2 & 3",
  );
});
