import { afterEach, expect, test } from "bun:test";
import { type RunningHttpServer, startHttpServer } from "./HttpServer.ts";
import { Metrics } from "./Metrics.ts";

let server: RunningHttpServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test("/healthz answers JSON with 200 when healthy and 503 when not; /metrics is Prometheus text", async () => {
  let ok = true;
  const metrics = new Metrics();
  metrics.declare("signalbot_reconnects_total", "WebSocket reconnects.", "counter");
  metrics.inc("signalbot_candles_total", "Closed candles processed.", { timeframe: "30m" }, 3);
  metrics.inc("signalbot_signals_blocked_total", "Blocked signals by reason.", { reason: 'say "hi"' });
  metrics.set("signalbot_outbox_depth", "Notifications waiting.", 2);
  server = startHttpServer({ port: 0, health: () => ({ ok, shards: 2 }), metrics: () => metrics.render() });
  const base = `http://127.0.0.1:${server.port}`;

  const h = await fetch(`${base}/healthz`);
  expect(h.status).toBe(200);
  expect(await h.json()).toEqual({ ok: true, shards: 2 });
  ok = false;
  expect((await fetch(`${base}/healthz`)).status).toBe(503);

  const m = await fetch(`${base}/metrics`);
  expect(m.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  const text = await m.text();
  expect(text).toContain(
    '# TYPE signalbot_candles_total counter\nsignalbot_candles_total{timeframe="30m"} 3\n',
  );
  expect(text).toContain('signalbot_signals_blocked_total{reason="say \\"hi\\""} 1');
  expect(text).toContain("# TYPE signalbot_outbox_depth gauge\nsignalbot_outbox_depth 2");
  expect(text).toContain("# TYPE signalbot_reconnects_total counter\nsignalbot_reconnects_total 0");
  expect((await fetch(`${base}/nope`)).status).toBe(404);
});
