import { describe, expect, test } from "bun:test";
import type { MemoryReason } from "../model/MemoryEvent.ts";
import type { ModelName } from "../model/Signal.ts";
import type { Competing } from "../risk/SetupOrder.ts";
import { bookAfter, tradesOf } from "../testing/MemoryBooks.ts";
import { applyModelPreference, MODEL_PREFERENCE, modelPreference } from "./ModelPreference.ts";

type S = { readonly setup: Competing };
const of = (model: ModelName, score: number, symbol = "BTCUSDT"): S => ({
  setup: { model, score, symbol, side: "LONG", rr: 2 },
});
const c = (score: number, symbol?: string) => of("continuation", score, symbol);
const r = (score: number, symbol?: string) => of("reversal", score, symbol);

describe("applyModelPreference", () => {
  const cases: readonly {
    readonly name: string;
    readonly setups: readonly S[];
    readonly slotsLeft: number;
    readonly preferred?: ModelName;
    readonly allowed: readonly S[];
    readonly rejected: readonly MemoryReason["code"][];
  }[] = [
    {
      name: "no preference: all allowed, best score first",
      setups: [c(78), r(90)],
      slotsLeft: 1,
      allowed: [r(90), c(78)],
      rejected: [],
    },
    {
      name: "both fire on one symbol/candle: continuation goes on, reversal rejected",
      setups: [r(95), c(80)],
      slotsLeft: 5,
      preferred: "continuation",
      allowed: [c(80)],
      rejected: ["preferContinuation"],
    },
    {
      name: "continuation on one symbol does not block a reversal on another symbol of the same close",
      setups: [r(95, "ETHUSDT"), c(80), r(90)],
      slotsLeft: 5,
      preferred: "continuation",
      allowed: [c(80), r(95, "ETHUSDT")],
      rejected: ["preferContinuation"],
    },
    {
      name: "last daily slot is reserved for continuation: a lone reversal is rejected",
      setups: [r(95)],
      slotsLeft: 1,
      preferred: "continuation",
      allowed: [],
      rejected: ["slotReservedForContinuation"],
    },
    {
      name: "a lone reversal with slots to spare goes on",
      setups: [r(95)],
      slotsLeft: 2,
      preferred: "continuation",
      allowed: [r(95)],
      rejected: [],
    },
    {
      name: "0 slots: left to the daily cap",
      setups: [r(95)],
      slotsLeft: 0,
      preferred: "continuation",
      allowed: [r(95)],
      rejected: [],
    },
    {
      name: "continuation alone on the last slot goes on",
      setups: [c(76)],
      slotsLeft: 1,
      preferred: "continuation",
      allowed: [c(76)],
      rejected: [],
    },
  ];
  for (const k of cases) {
    test(k.name, () => {
      const out = applyModelPreference({ setups: k.setups, slotsLeft: k.slotsLeft, preferred: k.preferred });
      expect(out.allowed).toEqual(k.allowed);
      expect(out.rejected.map((x) => x.reason.code)).toEqual([...k.rejected]);
    });
  }
});

describe("modelPreference (rule 5b)", () => {
  const NOW = Date.UTC(2025, 6, 1);
  test("continuation above 65 % over 10 trades becomes preferred; at 65 % or less it stops", () => {
    const good = bookAfter(tradesOf("WWLWWLWWLW")); // 7/10
    const on = modelPreference(good.book, good.closed, NOW, MODEL_PREFERENCE);
    expect(on.events).toEqual([
      {
        rule: "modelPreference",
        action: "fired",
        time: NOW,
        scope: "continuation",
        data: { winRate: 0.7, trades: 10 },
      },
    ]);
    const worse = bookAfter(tradesOf("WWLWWLWWLWL")); // 7/11
    const preferred = { ...worse.book, state: { ...worse.book.state, preferredModel: "continuation" } };
    expect(
      modelPreference(preferred, worse.closed, NOW, MODEL_PREFERENCE).events.map((e) => e.action),
    ).toEqual(["relaxed"]);
  });

  test("any model may be the one it watches: a custom model's own window decides, continuation's is ignored", () => {
    const donchian = { ...MODEL_PREFERENCE, model: "donchian" };
    const good = bookAfter(tradesOf("WWLWWLWWLW", { model: "donchian" }));
    const on = modelPreference(good.book, good.closed, NOW, donchian);
    expect(on.events).toMatchObject([{ action: "fired", scope: "donchian", data: { winRate: 0.7 } }]);
    expect(on.book.state.preferredModel).toBe("donchian");
    const continuationGood = bookAfter(tradesOf("WWLWWLWWLW", { model: "continuation" }));
    expect(modelPreference(continuationGood.book, continuationGood.closed, NOW, donchian).events).toEqual([]);
    const codes = applyModelPreference({
      setups: [c(90), of("donchian", 80)],
      slotsLeft: 3,
      preferred: "donchian",
    });
    expect(codes.allowed.map((s) => s.setup.model)).toEqual(["donchian"]);
    expect(codes.rejected.map((x) => x.reason)).toEqual([
      { code: "preferDonchian", data: { model: "continuation" } },
    ]);
  });

  test("a preference recorded for another model (the setting changed across a restart) is relaxed at once", () => {
    const good = bookAfter(tradesOf("WWLWWLWWLW", { model: "continuation" }));
    const stale = { ...good.book, state: { ...good.book.state, preferredModel: "continuation" } };
    const step = modelPreference(stale, good.closed, NOW, { ...MODEL_PREFERENCE, model: "donchian" });
    expect(step.events).toMatchObject([{ action: "relaxed", scope: "continuation" }]);
    expect(step.book.state.preferredModel).toBeNull();
  });

  test("its win rate and minimum come from its configuration", () => {
    const good = bookAfter(tradesOf("WWLWWLWWLW"));
    expect(
      modelPreference(good.book, good.closed, NOW, { ...MODEL_PREFERENCE, winRate: 0.75 }).events,
    ).toEqual([]);
    expect(
      modelPreference(good.book, good.closed, NOW, { ...MODEL_PREFERENCE, minTrades: 11 }).events,
    ).toEqual([]);
  });
});
