import { expect, test } from "bun:test";
import { makeCommandLimiter } from "./CommandLimiter.ts";

test("5 commands per user per minute; one 'too fast' answer, then silence; the window slides", () => {
  const limiter = makeCommandLimiter(5);
  const burst = Array.from({ length: 8 }, (_, i) => limiter.check(7, 1000 + i));
  expect(burst).toEqual(["obey", "obey", "obey", "obey", "obey", "tooFast", "drop", "drop"]);
  // Another user has a budget of their own.
  expect(limiter.check(8, 1010)).toBe("obey");
  // A minute after the first command its slot is free again.
  expect(limiter.check(7, 60_999)).toBe("drop");
  expect(limiter.check(7, 61_000)).toBe("obey");
  expect(limiter.check(7, 61_000)).toBe("drop");
  // Once the whole burst is a minute old: five more, and a new warning for a new excess.
  const later = Array.from({ length: 6 }, (_, i) => limiter.check(7, 62_000 + i));
  expect(later).toEqual(["obey", "obey", "obey", "obey", "tooFast", "drop"]);
});
