/**
 * Test kit for the owner's language: every word the bot shows must be Vietnamese, a symbol, a number or one of a
 * small list of standard trading abbreviations and names. Code spans (prices, technical details) and typed
 * commands ("/help") are not prose and are skipped. Words must be in NFC (precomposed) form, as fonts and
 * Telegram expect: a decomposed tone mark renders beside its letter in some fonts.
 */
import type { Doc } from "../telegram/Message.ts";

/** Trading abbreviations and names a Vietnamese trader reads as they are. */
export const ABBREVIATIONS: ReadonlySet<string> = new Set([
  "LONG",
  "SHORT",
  "USDT",
  "TP",
  "R",
  "EMA",
  "RSI",
  "ATR",
  "ADX",
  "ROC",
  "IP",
  "GMT",
  "Ctrl",
  "C",
  "Bollinger",
  "Binance",
  "Telegram",
  // Binance's own Vietnamese interface calls it "Funding" (phí funding): the term traders know.
  "funding",
]);

/** Vietnamese syllables written without any diacritic (the rest carry a mark and are recognised by it). */
export const PLAIN_VIETNAMESE: ReadonlySet<string> = new Set([
  "an",
  "bot",
  "chi",
  "cho",
  "danh",
  "do",
  "gian",
  "giao",
  "hay",
  "khi",
  "khung",
  "mua",
  "nay",
  "ngang",
  "ngay",
  "nhanh",
  "qua",
  "quay",
  "ro",
  "sau",
  "tham",
  "theo",
  "thu",
  "thua",
  "tin",
  "trong",
  "trung",
  "truy",
  "xa",
  "xem",
  "xu",
]);

const VIETNAMESE_LETTERS = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;

/** Is this token acceptable in a message to the owner? */
export const isAllowedWord = (token: string): boolean => {
  if (/^[\p{N}]+$/u.test(token)) return true; // numbers
  if (/^\d+[mhd]$/.test(token) || /^\d+R$/.test(token) || /^x\d+$/.test(token)) return true; // 30m, 2R, x3
  if (/^(TP|EMA)\d+$/.test(token)) return true; // TP1, EMA20
  if (/^[A-Z0-9]{2,}USDT$/.test(token)) return true; // symbols
  if (ABBREVIATIONS.has(token)) return true;
  if (VIETNAMESE_LETTERS.test(token)) return true;
  return PLAIN_VIETNAMESE.has(token.toLowerCase());
};

/**
 * The words of `text` that are neither Vietnamese nor allowed, and the ones not in NFC form. The base asset of
 * a symbol named in the same text ("0.094 BTC" beside "BTCUSDT") counts as part of the symbol.
 */
export const foreignWords = (text: string): string[] => {
  const prose = text.replace(/(^|[^\p{L}\p{N}])\/[a-z]+(@\w+)?/gu, "$1");
  const bases = new Set([...prose.matchAll(/\b([A-Z0-9]{2,})USDT\b/g)].map((m) => m[1]));
  const bad: string[] = [];
  for (const token of prose.split(/[^\p{L}\p{M}\p{N}]+/u)) {
    if (token === "" || /^\p{M}+$/u.test(token)) continue; // nothing, or an emoji's variation selector
    if (token !== token.normalize("NFC")) bad.push(`${token} (not NFC)`);
    else if (!isAllowedWord(token) && !bases.has(token)) bad.push(token);
  }
  return bad;
};

/** `foreignWords` over a document's prose: code spans are skipped. */
export const foreignWordsInDoc = (doc: Doc): string[] =>
  foreignWords(
    doc.lines
      .map((line) =>
        line
          .filter((s) => s.style !== "code")
          .map((s) => s.text)
          .join(""),
      )
      .join("\n"),
  );
