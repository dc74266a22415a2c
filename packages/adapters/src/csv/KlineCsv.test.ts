import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { candleAt, formatKlineCsv, type KlineCsvResult, parseKlineCsv } from "./KlineCsv.ts";

const enc = new TextEncoder();
const parse = (text: string, tf: "30m" | "4h" | "1d" = "30m"): KlineCsvResult =>
  parseKlineCsv(enc.encode(text), "t.csv", tf);
const parsed = (text: string, tf: "30m" | "4h" | "1d" = "30m") => {
  const r = parse(text, tf);
  if (r._tag !== "Parsed") throw new Error(`expected Parsed, got ${JSON.stringify(r.problem)}`);
  return r.columns;
};
const problem = (text: string) => {
  const r = parse(text);
  if (r._tag !== "Malformed") throw new Error("expected Malformed");
  return r.problem;
};

const HALF_HOUR = 1_800_000;
const T0 = 1735603200000;
const row7 = (i: number, o = "92759.3", h = "92875.4", l = "92478.5", c = "92545.9", v = "2164.109") =>
  `${T0 + i * HALF_HOUR},${o},${h},${l},${c},${v},${T0 + (i + 1) * HALF_HOUR - 1}`;
const row12 = (i: number) => `${row7(i)},200282442.1,45210,1067.339,98781239.7,0`;

describe("parseKlineCsv", () => {
  test("reads the 7-column layout with a header", () => {
    const c = parsed(`open_time,open,high,low,close,volume,close_time\n${row7(0)}\n${row7(1)}\n`);
    expect(c.length).toBe(2);
    expect(c.openTime[0]).toBe(T0);
    expect(c.open[0]).toBe(92759.3);
    expect(c.high[0]).toBe(92875.4);
    expect(c.low[0]).toBe(92478.5);
    expect(c.close[0]).toBe(92545.9);
    expect(c.volume[0]).toBe(2164.109);
    expect(c.closeTime[1]).toBe(T0 + 2 * HALF_HOUR - 1);
    expect(c.missing).toBe(0);
  });

  test("reads the 12-column archive layout without a header, CRLF line ends", () => {
    const c = parsed(`${row12(0)}\r\n${row12(1)}\r\n`);
    expect(c.length).toBe(2);
    expect(c.volume[1]).toBe(2164.109);
  });

  test("converts microsecond timestamps", () => {
    const us = `${T0 * 1000},1,2,0.5,1.5,10,${(T0 + HALF_HOUR) * 1000 - 1000}`;
    const c = parsed(us);
    expect(c.openTime[0]).toBe(T0);
    expect(c.closeTime[0]).toBe(T0 + HALF_HOUR - 1);
  });

  test("counts gaps and carries on", () => {
    const c = parsed([row7(0), row7(1), row7(5), row7(6)].join("\n"));
    expect(c.length).toBe(4);
    expect(c.missing).toBe(3);
    expect(c.gaps).toEqual([{ line: 3, openTime: T0 + 5 * HALF_HOUR, missing: 3 }]);
  });

  test("an empty file or a header alone has no candles", () => {
    expect(parsed("").length).toBe(0);
    expect(parsed("open_time,open,high,low,close,volume,close_time\n").length).toBe(0);
  });

  test("malformed rows name the line and the problem", () => {
    const header = "open_time,open,high,low,close,volume,close_time";
    expect(problem(`${header}\n${row7(0)}\n${row7(1, "abc")}`)).toEqual({
      line: 3,
      message: 'open is not a number: "abc"',
    });
    expect(problem(`${row7(0)}\n1,2,3`).line).toBe(2);
    expect(problem(`${row7(0)}\n1,2,3`).message).toContain("expected 7 or 12 columns, found 3");
    expect(problem(`${row7(0)},x`).message).toContain("found 8");
    expect(problem(`${row7(1)}\n${row7(0)}`).message).toContain("is not after the previous row");
    expect(problem(`${row7(0)}\n${row7(0)}`).line).toBe(2);
    expect(problem(row7(0, "1", "2", "3", "1.5")).message).toContain("inconsistent");
    expect(problem(row7(0, "1", "2", "0", "1.5")).message).toContain("low must be positive");
    expect(problem(row7(0, "1", "2", "0.5", "1.5", "-1")).message).toContain("volume");
    expect(problem(`${T0},1,2,0.5,1.5,10,${T0 + 60_000}`).message).toContain("close_time");
    expect(problem(`${T0},1,2,0.5,1.5,,${T0 + HALF_HOUR - 1}`).message).toBe('volume is not a number: ""');
    expect(problem(`${row7(0)}\n${row7(1)}\n\n${row7(0)}`).line).toBe(4);
    // A header is only accepted on the first line.
    expect(problem(`${row7(0)}\nopen_time,open,high,low,close,volume,close_time`).line).toBe(2);
  });

  test("numbers parse exactly like Number() (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999_999_999_999 }),
        fc.integer({ min: 0, max: 12 }),
        (mantissa, decimals) => {
          const s = String(mantissa);
          const text =
            decimals === 0
              ? s
              : s.length > decimals
                ? `${s.slice(0, -decimals)}.${s.slice(-decimals)}`
                : `0.${s.padStart(decimals, "0")}`;
          const c = parsed(`${T0},${text},${text},${text},${text},${text},${T0 + HALF_HOUR - 1}`);
          expect(c.open[0]).toBe(Number(text));
          expect(c.volume[0]).toBe(Number(text));
        },
      ),
    );
    // Long digit strings (beyond 2^53) take the slow, exact path.
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,19}(\.[0-9]{1,25})?$/), (text) => {
        const c = parsed(`${T0},1,1,1,1,${text},${T0 + HALF_HOUR - 1}`);
        expect(c.volume[0]).toBe(Number(text));
      }),
    );
    // Exponents take the slow path too.
    const c = parsed(`${T0},1e2,1.2345678901234567890e2,1,1e2,0.12345678901234567890,${T0 + HALF_HOUR - 1}`);
    expect(c.open[0]).toBe(100);
    expect(c.high[0]).toBe(Number("1.2345678901234567890e2"));
    expect(c.volume[0]).toBe(Number("0.12345678901234567890"));
  });
});

describe("formatKlineCsv", () => {
  test("writes the 7-column layout with a header that parses back to the same candles", () => {
    const text = `${row7(0)}\n${row7(1, "92545.9", "92600", "92100.05", "92200.1", "0.001")}\n`;
    const columns = parsed(text);
    const candles = Array.from({ length: columns.length }, (_, i) => candleAt(columns, i));
    const written = formatKlineCsv(candles);
    expect(written.split("\n")[0]).toBe("open_time,open,high,low,close,volume,close_time");
    expect(written.split("\n").slice(1).join("\n")).toBe(text);
    const again = parsed(written);
    expect(Array.from({ length: again.length }, (_, i) => candleAt(again, i))).toEqual(candles);
  });
});
