/**
 * Starts the loopback fake Binance by hand, e.g. to run the bot against it:
 *   bun packages/adapters/src/testing/fake-exchange.ts --port 8080 --data fixtures/klines --speed 60
 * then BINANCE_REST_URL=http://127.0.0.1:8080 BINANCE_WS_URL=ws://127.0.0.1:8080/market bun run start
 */
import { parseArgs } from "node:util";
import { FakeExchange } from "./FakeExchange.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8080" },
    data: { type: "string" },
    symbols: { type: "string", default: "300" },
    start: { type: "string", default: "2025-06-01T00:00:00Z" },
    speed: { type: "string", default: "1" },
    "update-ms": { type: "string", default: "250" },
    "weight-limit": { type: "string", default: "2400" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(`fake-exchange — a loopback Binance USD-M futures (REST + /market/stream WebSocket)
  --port N           listen on 127.0.0.1:N (default 8080; 0 = any free port)
  --data DIR         replay DIR/<SYMBOL>-<30m|4h|1d>.csv[.gz] for the symbols it has (others are generated)
  --symbols N        generated symbols listed beyond the data files (default 300)
  --start ISO        market clock start (default 2025-06-01T00:00:00Z)
  --speed X          market milliseconds per real millisecond (default 1; 1800 = one 30m candle per second)
  --update-ms N      forming-candle push interval in market time (default 250, like Binance)
  --weight-limit N   request weight per minute before 429 (default 2400)`);
  process.exit(0);
}

const start = Date.parse(values.start);
const fake = new FakeExchange({
  port: Number(values.port),
  ...(values.data === undefined ? {} : { dataDir: values.data }),
  generatedSymbols: Number(values.symbols),
  ...(Number.isFinite(start) ? { startTime: start } : {}),
  updateIntervalMs: Number(values["update-ms"]),
  weightLimit: Number(values["weight-limit"]),
});

const speed = Number(values.speed);
const tickMs = 250;
setInterval(() => fake.advance(tickMs * speed), tickMs);
console.log(
  `fake exchange: BINANCE_REST_URL=${fake.restUrl} BINANCE_WS_URL=${fake.wsUrl} ` +
    `(${fake.listedSymbols().length} symbols, market time ${new Date(fake.now()).toISOString()}, speed ×${speed})`,
);
const stop = () => {
  fake.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
