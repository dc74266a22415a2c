/**
 * A stand-in model for tests of what knows models only by name — labels in messages, a model's own reason
 * sentences and chart lines, per-model statistics — where the setups themselves do not matter.
 */
import type { ModelName } from "../model/Signal.ts";
import type { Model } from "../strategy/Model.ts";
import { noSetup } from "../strategy/Setup.ts";

/** A model named `name` that answers "no setup" on every candle; `over` adds its label, phrases or lines. */
export const aQuietModel = (name: ModelName, over: Omit<Partial<Model>, "name" | "create"> = {}): Model => {
  const quiet = noSetup(name, "quiet");
  return { name, create: () => ({ warmup: {}, evaluate: () => quiet }), ...over };
};
