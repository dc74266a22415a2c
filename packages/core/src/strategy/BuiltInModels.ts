/** The models the bot runs unless told otherwise: the two built-in ones, continuation first. */
import { continuationModel } from "./Continuation.ts";
import type { Model } from "./Model.ts";
import { reversalModel } from "./Reversal.ts";

/** continuation, reversal: what the analyzer evaluates, in this order, when given no models. */
export const DEFAULT_MODELS: readonly Model[] = [continuationModel, reversalModel];
