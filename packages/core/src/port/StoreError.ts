/** The single error every persistence port fails with; `reason` says which kind of failure it was. */
import { Data } from "effect";

export class StoreError extends Data.TaggedError("StoreError")<{
  readonly reason: "unavailable" | "readOnly" | "diskFull" | "locked" | "corrupt" | "unknown";
  readonly operation: string;
  readonly message: string;
  readonly cause?: unknown;
}> {}
