/**
 * The request-weight governor every Binance REST call passes through: it keeps this process under a weight
 * budget per minute, pauses everybody after a 429 and halts everything during a 418 IP ban.
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/general-info#limits
 */
import type { RestEvent } from "@signalbot/core";

/**
 * Time as the governor and the REST client see it; tests pass a virtual clock whose `sleep` advances `now`, or a
 * manual one they move by hand. `sleep` resolves early (and drops its timer) when `signal` aborts.
 */
export interface GovernorClock {
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const systemClock: GovernorClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(resolve, Math.max(0, ms));
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    }),
};

/** What the governor tells the outside world (the runner logs or notifies these): its part of core's RestEvent. */
export type GovernorEvent = Extract<
  RestEvent,
  { readonly _tag: "RateLimited" | "Banned" | "BanLifted" | "BudgetLimited" }
>;

export interface WeightGovernorOptions {
  /** Weight this process may use per window (Binance IP limit is 2400/min; default 1200 leaves room). */
  readonly budget?: number;
  /** Length of the weight window; Binance counts per calendar minute. Default 60 000. */
  readonly windowMs?: number;
  /** Wait this long past a window boundary before trusting the reset (clock skew vs the server). Default 250. */
  readonly windowMarginMs?: number;
  /** Upper bound of the random delay added to every 429 pause. Default 1000. */
  readonly jitterMs?: number;
  /** Requests `admit` lets be in flight at once. Default 8. */
  readonly maxConcurrent?: number;
  /** Share of the exchange's advertised REQUEST_WEIGHT limit the budget may use at most. Default 0.8. */
  readonly safeFraction?: number;
  readonly clock?: GovernorClock;
  readonly random?: () => number;
  readonly onEvent?: (event: GovernorEvent) => void;
}

/** How an admitted request ended, for the ramp-up after a ban. */
export type RequestOutcome = "ok" | "rateLimited" | "banned" | "failed";

/** A request let through by `admit`: call `done` exactly once when its answer (or failure) is in. */
export interface Admission {
  readonly done: (outcome: RequestOutcome) => void;
}

/** Weight of `GET /fapi/v1/klines` by `limit`: <100 → 1, <500 → 2, ≤1000 → 5, above → 10. */
export const klinesWeight = (limit: number): number =>
  limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;

/** Request weights of the endpoints this adapter calls. */
export const ENDPOINT_WEIGHT = {
  time: 1,
  exchangeInfo: 1,
  /** All symbols; a single symbol costs 1. */
  ticker24hAll: 40,
  /** `GET /fapi/v2/ticker/price` for one symbol (all symbols: 2). */
  priceOne: 1,
} as const;

/**
 * One queue every request waits in, in arrival order, until all of these hold at the moment it is sent: no 429
 * pause or 418 ban in force, its weight fits in the window's budget, and a concurrency slot is free. The check
 * is the last step before sending, so a request that waited (for weight or a slot) while a 429 arrived waits
 * out that pause too. After a ban the first request goes alone (a probe); each good answer allows one more in
 * flight (doubling per round trip, like TCP's slow start) until `maxConcurrent` is back.
 */
export class WeightGovernor {
  readonly windowMs: number;
  readonly configuredBudget: number;
  readonly maxConcurrent: number;
  private readonly safeFraction: number;
  private readonly margin: number;
  private readonly jitterMs: number;
  private readonly clock: GovernorClock;
  private readonly random: () => number;
  private readonly onEvent: (event: GovernorEvent) => void;
  private effectiveBudget: number;
  private window = Number.NEGATIVE_INFINITY;
  private used = 0;
  private pausedUntil = 0;
  private bannedUntil = 0;
  private inFlight = 0;
  /** Requests allowed in flight while ramping up after a ban (`maxConcurrent` otherwise). */
  private rampCap: number;
  private slotWaiter: (() => void) | undefined;
  /** FIFO of callers waiting for weight, so a big request is not starved by small ones. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: WeightGovernorOptions = {}) {
    this.configuredBudget = options.budget ?? 1200;
    this.effectiveBudget = this.configuredBudget;
    this.windowMs = options.windowMs ?? 60_000;
    this.margin = options.windowMarginMs ?? 250;
    this.jitterMs = options.jitterMs ?? 1000;
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 8);
    this.rampCap = this.maxConcurrent;
    this.safeFraction = options.safeFraction ?? 0.8;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.onEvent = options.onEvent ?? (() => {});
  }

  /** Weight per window this process allows itself: min(configured, safe fraction of the advertised limit). */
  get budget(): number {
    return this.effectiveBudget;
  }

  /**
   * The exchange's own REQUEST_WEIGHT limit per window (exchangeInfo `rateLimits`): the budget becomes
   * min(configured, `safeFraction` × limit), so a lower limit on this IP or account never gets us banned.
   */
  applyExchangeLimit(advertised: number): void {
    if (!Number.isFinite(advertised) || advertised <= 0) return;
    const budget = Math.max(1, Math.min(this.configuredBudget, Math.floor(advertised * this.safeFraction)));
    if (budget === this.effectiveBudget) return;
    this.effectiveBudget = budget;
    if (budget < this.configuredBudget)
      this.onEvent({ _tag: "BudgetLimited", budget, configured: this.configuredBudget, advertised });
  }

  /** Weight used in the current window as far as we know (our own sends and the server's header). */
  usedWeight(): number {
    this.roll();
    return this.used;
  }

  /** End of the current 418 ban (0 when not banned). */
  banEndsAt(): number {
    return this.bannedUntil > this.clock.now() ? this.bannedUntil : 0;
  }

  /** Requests admitted and not done yet. */
  requestsInFlight(): number {
    return this.inFlight;
  }

  /**
   * Waits until `weight` fits in the budget and no pause or ban is in force, then books it (no concurrency
   * slot: for callers that pace themselves). Requests queue in arrival order; none is ever sent over budget.
   */
  acquire(weight: number): Promise<void> {
    return this.enqueue(() => this.waitAndBook(weight, false));
  }

  /** `acquire` plus a concurrency slot (and the post-ban ramp); the caller sends at once and calls `done`. */
  async admit(weight: number): Promise<Admission> {
    await this.enqueue(() => this.waitAndBook(weight, true));
    let open = true;
    return {
      done: (outcome) => {
        if (!open) return;
        open = false;
        this.inFlight--;
        // Slow start: one more slot per good answer, so what may be in flight doubles per round trip.
        if (outcome === "ok" && this.rampCap < this.maxConcurrent) this.rampCap++;
        const wake = this.slotWaiter;
        this.slotWaiter = undefined;
        wake?.();
      },
    };
  }

  private enqueue(turn: () => Promise<void>): Promise<void> {
    const next = this.queue.then(turn);
    this.queue = next.catch(() => {});
    return next;
  }

  private async waitAndBook(weight: number, slot: boolean): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (this.bannedUntil !== 0 && this.bannedUntil <= now) this.liftBan();
      const blockedUntil = Math.max(this.pausedUntil, this.bannedUntil);
      if (blockedUntil > now) {
        await this.clock.sleep(blockedUntil - now);
        continue;
      }
      if (slot && this.inFlight >= this.rampCap) {
        await new Promise<void>((resolve) => {
          this.slotWaiter = resolve;
        });
        continue;
      }
      this.roll();
      // A request heavier than the whole budget can only ever run alone in a fresh window.
      if (this.used + weight <= this.budget || (this.used === 0 && weight > this.budget)) {
        this.used += weight;
        if (slot) this.inFlight++;
        return;
      }
      await this.clock.sleep(this.window + this.windowMs + this.margin - now);
    }
  }

  /** Records the server's `X-MBX-USED-WEIGHT-1M`: other tools on the same IP count against us too. */
  observeUsedWeight(header: number): void {
    if (!Number.isFinite(header)) return;
    this.roll();
    if (header > this.used) this.used = header;
  }

  /** A 429: everybody pauses for `Retry-After` plus jitter. */
  rateLimited(retryAfterMs: number): void {
    const until = this.clock.now() + retryAfterMs + Math.floor(this.random() * this.jitterMs);
    if (until > this.pausedUntil) {
      this.pausedUntil = until;
      this.onEvent({ _tag: "RateLimited", until, retryAfterMs });
    }
  }

  /**
   * A 418: the IP is banned; nothing is sent until `Retry-After` has passed. The answers of requests that were
   * already in flight only extend the ban's end: one `Banned` event per ban.
   */
  banned(retryAfterMs: number): void {
    const now = this.clock.now();
    const until = now + retryAfterMs;
    const isNew = this.bannedUntil <= now;
    if (until > this.bannedUntil) this.bannedUntil = until;
    this.rampCap = 1;
    if (isNew) this.onEvent({ _tag: "Banned", until, retryAfterMs });
  }

  private liftBan(): void {
    this.bannedUntil = 0;
    this.onEvent({ _tag: "BanLifted", at: this.clock.now() });
  }

  /**
   * Starts a new window once the clock has passed the previous one plus the skew margin: weight booked in the
   * margin still counts against the old window, so a clock a little ahead of the server's never overspends.
   */
  private roll(): void {
    const now = this.clock.now();
    if (now >= this.window + this.windowMs + this.margin) {
      this.window = Math.floor(now / this.windowMs) * this.windowMs;
      this.used = 0;
    }
  }
}

/** Limit to request so `count` candles cost the least weight (Binance max 1500). */
export const cheapestKlinesLimit = (count: number): number =>
  count <= 99 ? Math.max(1, count) : count <= 499 ? count : 1000;
