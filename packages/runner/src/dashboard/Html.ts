/**
 * HTML built with a tagged template that escapes every interpolated value (text and attribute safe), so a
 * symbol name or a reason from the database can never inject markup. Only `Html` values (other templates) and
 * arrays of them pass through as they are.
 */

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** `&`, `<`, `>`, `"` and `'` as entities: safe between tags and inside quoted attributes. */
export const escapeText = (s: string): string =>
  s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");

const part = (v: unknown): string => {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(part).join("");
  if (v === undefined || v === null || v === false) return "";
  return escapeText(String(v));
};

export const html = (strings: TemplateStringsArray, ...values: readonly unknown[]): Html => {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += part(values[i]) + (strings[i + 1] ?? "");
  return new Html(out);
};

/** Markup that is already safe (a constant of this program, never data). */
export const raw = (text: string): Html => new Html(text);
