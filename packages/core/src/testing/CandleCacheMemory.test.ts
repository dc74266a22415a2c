import { describe, expect, test } from "bun:test";
import { candleCacheContract } from "./CandleCacheContract.ts";
import { CandleCacheMemory } from "./CandleCacheMemory.ts";

candleCacheContract(
  "CandleCacheMemory",
  () => {
    const entries = new Map();
    return () => CandleCacheMemory.layer(entries);
  },
  { describe, test, expect },
);
