/**
 * The book of open virtual trades, by symbol, held in memory by the process that advances them (live runner
 * or backtest). The store is the durable copy; the book is restored from it at start (usecase/restoreOpenTrades).
 */
import type { VirtualTrade } from "../model/Trade.ts";

const NONE: readonly VirtualTrade[] = Object.freeze([]);

export class OpenTrades {
  readonly #bySymbol = new Map<string, VirtualTrade[]>();
  #size = 0;

  /** Open trades of `symbol`, oldest first (a shared empty array when there are none: do not mutate). */
  get(symbol: string): readonly VirtualTrade[] {
    return this.#bySymbol.get(symbol) ?? NONE;
  }

  count(symbol: string): number {
    return this.#bySymbol.get(symbol)?.length ?? 0;
  }

  /** Total open trades. */
  get size(): number {
    return this.#size;
  }

  /** Symbols with at least one open trade. */
  symbols(): IterableIterator<string> {
    return this.#bySymbol.keys();
  }

  all(): VirtualTrade[] {
    return [...this.#bySymbol.values()].flat();
  }

  /** Adds an open trade (a trade with the same id is replaced). */
  add(trade: VirtualTrade): void {
    if (trade.status !== "open") return;
    const list = this.#bySymbol.get(trade.symbol);
    if (list === undefined) {
      this.#bySymbol.set(trade.symbol, [trade]);
      this.#size++;
      return;
    }
    const i = list.findIndex((t) => t.id === trade.id);
    if (i >= 0) list[i] = trade;
    else {
      list.push(trade);
      this.#size++;
    }
  }

  /** Stores a trade's new state; a closed trade leaves the book. */
  update(trade: VirtualTrade): void {
    const list = this.#bySymbol.get(trade.symbol);
    const i = list === undefined ? -1 : list.findIndex((t) => t.id === trade.id);
    if (list === undefined || i < 0) {
      this.add(trade);
      return;
    }
    if (trade.status === "open") {
      list[i] = trade;
      return;
    }
    list.splice(i, 1);
    this.#size--;
    if (list.length === 0) this.#bySymbol.delete(trade.symbol);
  }

  clear(): void {
    this.#bySymbol.clear();
    this.#size = 0;
  }
}
