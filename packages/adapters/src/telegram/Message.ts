/**
 * A message as data (lines of styled spans), rendered once as Telegram HTML and once as plain text, so the
 * Telegram and console notifiers share every word. Also the 4096-character split Telegram needs.
 * @see https://core.telegram.org/bots/api#html-style
 */

export interface Span {
  readonly text: string;
  readonly style?: "b" | "i" | "code";
}
export type Line = readonly Span[];
export interface Doc {
  readonly lines: readonly Line[];
}

/** Telegram's limits: a text message, and a photo caption. */
export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;

export const plain = (text: string): Span => ({ text });
export const bold = (text: string): Span => ({ text, style: "b" });
export const italic = (text: string): Span => ({ text, style: "i" });
export const code = (text: string): Span => ({ text, style: "code" });

/** The three characters Telegram's HTML parse mode requires escaped. */
export const escapeHtml = (text: string): string =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

const spanHtml = (s: Span): string => {
  const t = escapeHtml(s.text);
  return s.style === undefined ? t : `<${s.style}>${t}</${s.style}>`;
};

export const toHtml = (doc: Doc): string => doc.lines.map((l) => l.map(spanHtml).join("")).join("\n");
export const toPlain = (doc: Doc): string => doc.lines.map((l) => l.map((s) => s.text).join("")).join("\n");

/** Plain text of HTML we produced ourselves (command replies travel as HTML): tags dropped, entities decoded. */
export const htmlToPlain = (html: string): string =>
  html
    .replace(/<[^>]*>/g, "")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");

/**
 * Split text into parts of at most `max` characters, at line boundaries. A single longer line is cut hard,
 * never inside an HTML entity (`&amp;`); our templates never span a tag over a line break.
 */
export const splitText = (text: string, max: number = MAX_TEXT): readonly string[] => {
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let current: string | undefined;
  for (const line of text.split("\n")) {
    const candidate = current === undefined ? line : `${current}\n${line}`;
    if (candidate.length <= max) {
      current = candidate;
      continue;
    }
    if (current !== undefined) parts.push(current);
    let rest = line;
    while (rest.length > max) {
      let cut = max;
      const amp = rest.lastIndexOf("&", cut - 1);
      if (amp > 0 && amp > cut - 8 && !rest.slice(amp, cut).includes(";")) cut = amp;
      parts.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    current = rest;
  }
  if (current !== undefined) parts.push(current);
  return parts;
};
