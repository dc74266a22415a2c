import { describe, expect, test } from "bun:test";
import { signalStoreContract } from "./SignalStoreContract.ts";
import { SignalStoreMemory } from "./SignalStoreMemory.ts";

signalStoreContract(
  "SignalStoreMemory",
  () => {
    const state = new SignalStoreMemory.State();
    return () => SignalStoreMemory.layer(state);
  },
  { describe, test, expect },
);
