/**
 * Test kit: a memory snapshot exactly as the bot wrote it before models were plug-ins (snapshot version 1), for
 * the restart-safety tests of the memory layer and of its stores.
 */

/**
 * Produced by the code of commit 6c86350 after 10 continuation trades on ETHUSDT (8 wins: continuation
 * preferred) and 10 reversal trades on SOLUSDT (3 wins: reversal disabled, SOLUSDT cooled down), saved at
 * 2025-06-03T00:00Z. Kept verbatim: an upgraded bot must restart with all of it.
 */
export const SNAPSHOT_V1 =
  '{"version":1,"updatedAt":1748908800000,"state":{"seq":20,"recentIds":["ETHUSDT|continuation|0","ETHUSDT|continuation|1","ETHUSDT|continuation|2","ETHUSDT|continuation|3","ETHUSDT|continuation|4","ETHUSDT|continuation|5","ETHUSDT|continuation|6","ETHUSDT|continuation|7","ETHUSDT|continuation|8","ETHUSDT|continuation|9","SOLUSDT|reversal|0","SOLUSDT|reversal|1","SOLUSDT|reversal|2","SOLUSDT|reversal|3","SOLUSDT|reversal|4","SOLUSDT|reversal|5","SOLUSDT|reversal|6","SOLUSDT|reversal|7","SOLUSDT|reversal|8","SOLUSDT|reversal|9"],"results":["W","W","W","L","W","W","W","L","W","W","L","W","L","L","W","L","L","W","L","L"],"lossStreak":2,"equity":1130,"peakEquity":1150,"models":{"continuation":{"results":["W","W","W","L","W","W","W","L","W","W"]},"reversal":{"results":[]}},"symbols":{"ETHUSDT":{"results":["W","W","W","L","W","W","W","L","W","W"],"lossStreak":0,"penalty":false},"SOLUSDT":{"results":["L","W","L","L","W","L","L","W","L","L"],"lossStreak":2,"penalty":true}},"thresholdRaised":false,"signalCap":false,"riskCut":false,"continuationPreferred":true,"armedAt":{"symbolCooldown:SOLUSDT":20,"modelDisable:reversal":20}},"locks":[{"scope":"symbol","target":"SOLUSDT","rule":"symbolCooldown","until":1748941200000,"reason":"2 consecutive losses on SOLUSDT","createdAt":1748854800000},{"scope":"model","target":"reversal","rule":"modelDisable","until":1749027600000,"reason":"reversal win rate 30% over 10 trades","createdAt":1748854800000}]}';
