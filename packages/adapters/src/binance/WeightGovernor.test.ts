/** WeightGovernor on a virtual clock: budget queueing, the server's header, 429 pauses and 418 bans. */
import { expect, test } from "bun:test";
import { cheapestKlinesLimit, type GovernorEvent, klinesWeight, WeightGovernor } from "./WeightGovernor.ts";

/** A clock whose `sleep` jumps time forward: a minute of waiting takes no real time. */
const virtualClock = (start = 1_000_000_020_000) => {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += Math.max(0, ms);
    },
  };
};

test("klines weight by limit, as Binance documents it", () => {
  expect([1, 99, 100, 499, 500, 1000, 1001, 1500].map(klinesWeight)).toEqual([1, 1, 2, 2, 5, 5, 10, 10]);
  expect([1, 50, 99, 100, 300, 499, 500, 1000].map(cheapestKlinesLimit)).toEqual([
    1, 50, 99, 100, 300, 499, 1000, 1000,
  ]);
});

test("never books more than the budget per window; the excess waits for the next window", async () => {
  const clock = virtualClock();
  const g = new WeightGovernor({ budget: 1200, clock, windowMarginMs: 250 });
  const bookedAt: number[] = [];
  await Promise.all(Array.from({ length: 600 }, () => g.acquire(5).then(() => bookedAt.push(clock.now()))));
  const perWindow = new Map<number, number>();
  for (const t of bookedAt)
    perWindow.set(Math.floor(t / 60_000), (perWindow.get(Math.floor(t / 60_000)) ?? 0) + 5);
  expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(1200);
  expect([...perWindow.values()].reduce((a, b) => a + b)).toBe(3000);
  expect(perWindow.size).toBe(3);
});

test("the server's X-MBX-USED-WEIGHT-1M counts: other tools on the IP shrink what is left", async () => {
  const clock = virtualClock();
  const g = new WeightGovernor({ budget: 1200, clock });
  await g.acquire(1);
  g.observeUsedWeight(1195);
  expect(g.usedWeight()).toBe(1195);
  const before = clock.now();
  await g.acquire(10);
  expect(clock.now()).toBeGreaterThan(before); // waited for the next window
  expect(g.usedWeight()).toBe(10);
});

test("a 429 pauses every caller for Retry-After plus jitter, and says so", async () => {
  const clock = virtualClock();
  const events: GovernorEvent[] = [];
  const g = new WeightGovernor({ clock, jitterMs: 1000, random: () => 0.5, onEvent: (e) => events.push(e) });
  const start = clock.now();
  g.rateLimited(3000);
  await Promise.all([g.acquire(1), g.acquire(1)]);
  expect(clock.now()).toBe(start + 3500);
  expect(events).toEqual([{ _tag: "RateLimited", until: start + 3500, retryAfterMs: 3000 }]);
});

test("a 418 halts everything until the ban ends, then lifts it", async () => {
  const clock = virtualClock();
  const events: GovernorEvent[] = [];
  const g = new WeightGovernor({ clock, onEvent: (e) => events.push(e) });
  const start = clock.now();
  g.banned(120_000);
  expect(g.banEndsAt()).toBe(start + 120_000);
  await g.acquire(1);
  expect(clock.now()).toBe(start + 120_000);
  expect(g.banEndsAt()).toBe(0);
  expect(events.map((e) => e._tag)).toEqual(["Banned", "BanLifted"]);
});

test("a request heavier than the budget runs alone in a fresh window instead of waiting forever", async () => {
  const g = new WeightGovernor({ budget: 5, clock: virtualClock() });
  await g.acquire(10);
  expect(g.usedWeight()).toBe(10);
});

test("one Banned event per ban: 418s of requests that were in flight only extend its end", async () => {
  const clock = virtualClock();
  const events: GovernorEvent[] = [];
  const g = new WeightGovernor({ clock, onEvent: (e) => events.push(e) });
  const start = clock.now();
  g.banned(120_000);
  await clock.sleep(1500);
  g.banned(120_000); // answered a little later, so a later end
  g.banned(119_000);
  await g.acquire(1);
  expect(clock.now()).toBe(start + 121_500);
  g.banned(60_000); // after the lift: a new ban
  expect(events.map((e) => e._tag)).toEqual(["Banned", "BanLifted", "Banned"]);
  expect(events[0]).toEqual({ _tag: "Banned", until: start + 120_000, retryAfterMs: 120_000 });
});

test("after a ban the first request goes alone, then what may be in flight doubles per round trip", async () => {
  const clock = virtualClock();
  const g = new WeightGovernor({ clock, maxConcurrent: 8 });
  g.banned(60_000);
  const waves: number[] = [];
  let open: { done: (o: "ok") => void }[] = [];
  const pending = Array.from({ length: 15 }, () => g.admit(1).then((a) => open.push(a)));
  for (let wave = 0; wave < 4; wave++) {
    await new Promise((r) => setImmediate(r));
    waves.push(open.length);
    const finished = open;
    open = [];
    for (const a of finished) a.done("ok");
  }
  await Promise.all(pending);
  expect(waves).toEqual([1, 2, 4, 8]);
});

test("a slot freed during a 429 pause is not used before the pause ends", async () => {
  const clock = virtualClock();
  const g = new WeightGovernor({ clock, maxConcurrent: 1, jitterMs: 0 });
  const first = await g.admit(1);
  const second = g.admit(1).then(() => clock.now());
  const start = clock.now();
  g.rateLimited(3000);
  first.done("rateLimited");
  expect(await second).toBe(start + 3000);
});

test("exchangeInfo's REQUEST_WEIGHT caps the budget at 80 % of it, never above the configured one", () => {
  const events: GovernorEvent[] = [];
  const g = new WeightGovernor({ budget: 1200, clock: virtualClock(), onEvent: (e) => events.push(e) });
  g.applyExchangeLimit(2400);
  expect(g.budget).toBe(1200);
  g.applyExchangeLimit(1000);
  expect(g.budget).toBe(800);
  g.applyExchangeLimit(Number.NaN);
  expect(g.budget).toBe(800);
  expect(events).toEqual([{ _tag: "BudgetLimited", budget: 800, configured: 1200, advertised: 1000 }]);
});
