import { expect, test } from "bun:test";
import { newSignal, phraseReason, toPlain } from "@signalbot/adapters/telegram";
import { aSignal } from "@signalbot/core/testing";
import { EN_PHRASES, fill, phrase, WORDS } from "./Dictionary.ts";

test("the Vietnamese words are the Telegram messages' own", () => {
  const message = toPlain(
    newSignal(aSignal({ reasons: [{ code: "momentum", data: { rsi: 58, roc: 1 } }] }), undefined),
  );
  for (const word of [WORDS.vi.entry, WORDS.vi.stop, WORDS.vi.reasons, WORDS.vi.score, WORDS.vi.model])
    expect(message).toContain(`${word}`);
  expect(phrase("vi", { code: "momentum", data: { rsi: 58, roc: 1 } })).toBe(
    phraseReason({ code: "momentum", data: { rsi: 58, roc: 1 } }),
  );
});

test("every reason the Telegram templates phrase has an English sentence too", () => {
  // The templates phrase a code they know without the generic "Lý do khác" fallback; English must match them.
  for (const code of Object.keys(EN_PHRASES)) {
    expect([code, phraseReason({ code, data: {} }).startsWith("Lý do khác")]).toEqual([code, false]);
    expect([code, phrase("en", { code, data: {} }).startsWith("Other reason")]).toEqual([code, false]);
  }
  const vietnamese = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i;
  for (const code of Object.keys(EN_PHRASES))
    expect([code, vietnamese.test(phrase("en", { code, data: {} }))]).toEqual([code, false]);
  expect(phrase("en", { code: "scoreBelowThreshold", data: { score: 70.4, threshold: 75 } })).toBe(
    "Score 70 below the threshold 75",
  );
  expect(phrase("en", { code: "fundingTooHigh" })).toBe('Other reason (code "fundingTooHigh")');
});

test("placeholders are filled, unknown ones left as they are", () => {
  expect(fill("in {dir} and {dir}, {other}", { dir: "./reports" })).toBe(
    "in ./reports and ./reports, {other}",
  );
});
