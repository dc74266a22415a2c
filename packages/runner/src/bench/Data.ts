/**
 * What the benchmarks read and how they print it: the full 2025 klines of `../shared/data` when present, else
 * the identical committed fixtures, and figures with thousands separators.
 */
import { existsSync } from "node:fs";

export const REPO_ROOT = new URL("../../../../", import.meta.url).pathname;

const SHARED_KLINES = `${REPO_ROOT}../shared/data/binance-um-klines`;

/** The kline folder a benchmark replays (`file`: a file that must be there, e.g. one symbol's 30m series). */
export const benchKlinesDir = (file?: string): string =>
  existsSync(file === undefined ? SHARED_KLINES : `${SHARED_KLINES}/${file}`)
    ? SHARED_KLINES
    : `${REPO_ROOT}fixtures/klines`;

/** A path as the figures show it: relative to the repository when inside it. */
export const shownPath = (path: string): string =>
  path.startsWith(REPO_ROOT) ? path.slice(REPO_ROOT.length) : path;

/** `1,234,567` (or `12.35` with `digits`). */
export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
