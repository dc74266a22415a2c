import { expect, test } from "bun:test";
import { makeProgress, progressLine } from "./Progress.ts";

const scripted = (style: "tty" | "lines") => {
  let now = 0;
  const out: string[] = [];
  const p = makeProgress({ total: 1000, style, write: (t) => out.push(t), now: () => now });
  return { p, out, at: (t: number) => (now = t) };
};

test("silent during the first second, then a percentage with an ETA", () => {
  const { p, out, at } = scripted("lines");
  at(500);
  p.update(100);
  expect(out).toEqual([]);
  at(1000);
  p.update(250);
  expect(out).toEqual(["backtest 25.0% · 250/1,000 candles · ETA 3s\n"]);
  at(2000);
  p.update(400); // within the 5 s interval for lines
  expect(out.length).toBe(1);
  p.finish();
  expect(out[1]).toBe("backtest 40.0% · 400/1,000 candles · ETA 3s\n");
});

test("a terminal line is redrawn in place and cleared at the end", () => {
  const { p, out, at } = scripted("tty");
  at(1200);
  p.update(600);
  p.finish();
  expect(out).toEqual(["\r\x1b[2Kbacktest 60.0% · 600/1,000 candles · ETA 1s", "\r\x1b[2K"]);
});

test("a short run prints nothing at all", () => {
  const { p, out, at } = scripted("tty");
  at(300);
  p.update(1000);
  p.finish();
  expect(out).toEqual([]);
});

test("progressLine formats minutes", () => {
  expect(progressLine(1, 100, 1000)).toBe("1.0% · 1/100 candles · ETA 1m39s");
});

test("a labelled line with a bar, its own unit and a detail", () => {
  let now = 0;
  const out: string[] = [];
  const p = makeProgress({
    total: 200,
    style: "lines",
    write: (t) => out.push(t),
    now: () => now,
    label: "download",
    unit: "rows",
    barWidth: 10,
    detail: () => "BTCUSDT 30m",
  });
  now = 2000;
  p.update(50);
  expect(out).toEqual(["download [███░░░░░░░] 25.0% · 50/200 rows · ETA 6s · BTCUSDT 30m\n"]);
});
