/**
 * Which symbols the bot watches right now. Fixed symbols are always on; the remaining slots walk through the
 * top-volume list, one window per rotation slot; a symbol with an open virtual trade stays tracked until the
 * trade closes. The window is a function of event time, so a restart picks up the same rotation.
 */

export interface RotationInput {
  /** Always watched, in this order (e.g. BTCUSDT, ETHUSDT, BNBUSDT). */
  readonly fixed: readonly string[];
  /** The top-volume list, best first (fixed symbols may appear in it: they are skipped). */
  readonly ranked: readonly string[];
  /** MAX_SYMBOLS_SUBSCRIBED. */
  readonly maxSymbols: number;
  /** ROTATION_SLOT_SECONDS in ms. */
  readonly slotMs: number;
  /** Event time (ms UTC). */
  readonly time: number;
  /** Symbols with an open virtual trade: they stay tracked whatever the rotation says. */
  readonly pinned: readonly string[];
}

export interface ActiveSet {
  /** Everything to subscribe: fixed, then pinned, then the rotating window. */
  readonly symbols: readonly string[];
  /** The rotating part alone. */
  readonly rotating: readonly string[];
  /** Index of the rotation slot (floor(time / slotMs)). */
  readonly slot: number;
}

/**
 * The active set for one rotation slot. The rotating capacity is `maxSymbols − fixed − pinned` (pinned
 * symbols outside the fixed list use rotating slots), so the subscription count never exceeds `maxSymbols`
 * unless more symbols are pinned than there are slots. Consecutive slots take consecutive windows of the
 * ranked list, wrapping around, so every ranked symbol gets its turn.
 */
export const activeSet = (input: RotationInput): ActiveSet => {
  const slot = Math.floor(input.time / input.slotMs);
  const chosen = new Set<string>();
  const symbols: string[] = [];
  const take = (s: string): void => {
    if (!chosen.has(s)) {
      chosen.add(s);
      symbols.push(s);
    }
  };
  for (const s of input.fixed) take(s);
  for (const s of input.pinned) take(s);
  const pool = input.ranked.filter((s) => !chosen.has(s));
  const capacity = Math.max(0, Math.min(pool.length, input.maxSymbols - symbols.length));
  const rotating: string[] = [];
  if (capacity > 0) {
    const start = (slot * capacity) % pool.length;
    for (let i = 0; i < capacity; i++) rotating.push(pool[(start + i) % pool.length]!);
  }
  for (const s of rotating) take(s);
  return { symbols, rotating, slot };
};

/** What changes between two active sets: symbols to subscribe (and warm up) and symbols to drop. */
export const diffActive = (
  previous: readonly string[],
  next: readonly string[],
): { readonly entering: readonly string[]; readonly leaving: readonly string[] } => {
  const before = new Set(previous);
  const after = new Set(next);
  return {
    entering: next.filter((s) => !before.has(s)),
    leaving: previous.filter((s) => !after.has(s)),
  };
};
