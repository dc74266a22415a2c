/**
 * A part of the bot's health that lives beside the loop (the REST client, the database), shown in /healthz
 * under its name and in /metrics. The loop only collects them: what "degraded" means is the probe's.
 */
import type { RestHealth } from "@signalbot/adapters/binance";
import type { Metrics } from "./Metrics.ts";

export interface HealthProbe {
  /** Its /healthz section; `ok: false` makes the whole answer not ok (503). */
  readonly health: () => { readonly ok: boolean } & Readonly<Record<string, unknown>>;
  /** Writes its figures into /metrics before each render. */
  readonly metrics?: (metrics: Metrics) => void;
}

/** The REST client's /healthz section (`rest`): degraded while its requests fail or a ban lasts. */
export const restProbe = (rest: {
  readonly health: () => RestHealth;
  readonly rejectedCandles: number;
  readonly governor: { readonly budget: number };
}): HealthProbe => ({
  health: () => {
    const h = rest.health();
    const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
    return {
      ok: !h.degraded,
      degraded: h.degraded,
      consecutiveFailures: h.consecutiveFailures,
      failingSince: iso(h.failingSince),
      lastError: h.lastError ?? null,
      bannedUntil: iso(h.bannedUntil),
      lastSuccessAt: iso(h.lastSuccessAt),
      weightBudget: rest.governor.budget,
      rejectedCandles: rest.rejectedCandles,
    };
  },
  metrics: (m) => {
    m.set(
      "signalbot_rest_degraded",
      "1 while REST requests fail or an IP ban lasts.",
      rest.health().degraded ? 1 : 0,
    );
    m.set("signalbot_rest_weight_budget", "REST weight budget per minute in force.", rest.governor.budget);
    m.set(
      "signalbot_rest_candles_rejected",
      "Klines rows dropped as impossible since start.",
      rest.rejectedCandles,
    );
  },
});
