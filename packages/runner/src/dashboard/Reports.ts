/**
 * The reports folder (REPORTS_DIR): backtest and walk-forward reports written by `bun run backtest --html/--json`
 * (or anything else that writes .html/.json there), listed newest first and served read-only. Names are
 * checked segment by segment and resolved inside the folder (symbolic links included), so no request can read
 * a file outside it.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, resolve, sep } from "node:path";

export interface ReportFile {
  /** Path inside the folder, "/"-separated: the URL is `/reports/<name>`. */
  readonly name: string;
  readonly kind: "html" | "json";
  /** The HTML `<title>`, else the file name. */
  readonly title: string;
  readonly size: number;
  readonly modifiedAt: number;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const REPORT = /\.(html|json)$/;
/** Subfolders looked into (reports/2026-03/x.html). */
const DEPTH = 2;
const LISTED = 100;

const titles = new Map<string, { readonly mtime: number; readonly title: string }>();

const titleOf = (file: string, name: string, mtime: number): string => {
  const cached = titles.get(file);
  if (cached !== undefined && cached.mtime === mtime) return cached.title;
  let title = name;
  if (name.endsWith(".html")) {
    const head = readFileSync(file, "utf8").slice(0, 4096);
    const m = /<title>([^<]{1,200})<\/title>/i.exec(head);
    if (m?.[1] !== undefined) title = m[1].replaceAll("&amp;", "&").replaceAll("&middot;", "·").trim();
  }
  titles.set(file, { mtime, title });
  return title;
};

/** The reports in `dir`, newest first (empty when the folder does not exist). */
export const listReports = (dir: string): readonly ReportFile[] => {
  if (!existsSync(dir)) return [];
  const out: ReportFile[] = [];
  const walk = (folder: string, prefix: string, depth: number) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (!SEGMENT.test(entry.name)) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory() && depth < DEPTH) walk(path, `${prefix}${entry.name}/`, depth + 1);
      else if (entry.isFile() && REPORT.test(entry.name)) {
        const st = statSync(path);
        out.push({
          name: prefix + entry.name,
          kind: entry.name.endsWith(".html") ? "html" : "json",
          title: titleOf(path, entry.name, st.mtimeMs),
          size: st.size,
          modifiedAt: Math.round(st.mtimeMs),
        });
      }
    }
  };
  walk(dir, "", 0);
  return out.sort((a, b) => b.modifiedAt - a.modifiedAt || (a.name < b.name ? -1 : 1)).slice(0, LISTED);
};

/** The file behind `/reports/<name>`, or undefined when the name is not a report inside `dir`. */
export const reportPath = (dir: string, name: string): string | undefined => {
  const segments = name.split("/");
  if (segments.length > DEPTH + 1 || !segments.every((s) => SEGMENT.test(s)) || !REPORT.test(name))
    return undefined;
  if (!existsSync(dir)) return undefined;
  const root = realpathSync(dir);
  const file = resolve(root, ...segments);
  if (!existsSync(file)) return undefined;
  const real = realpathSync(file);
  return real.startsWith(root + sep) && statSync(real).isFile() ? real : undefined;
};

const sha256 = (text: string): string => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/**
 * The Content-Security-Policy of a self-contained HTML report: its own inline `<script>` and `<style>` blocks
 * are allowed by their hashes, nothing else runs, loads or connects.
 */
export const reportCsp = (page: string): string => {
  const blocks = (tag: string) =>
    [...page.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => sha256(m[1] ?? ""));
  const scripts = blocks("script");
  const styles = blocks("style");
  return [
    "default-src 'none'",
    `script-src ${scripts.length > 0 ? scripts.join(" ") : "'none'"}`,
    `style-src ${styles.length > 0 ? styles.join(" ") : "'none'"}`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
};
