/**
 * `/healthz` (JSON) and `/metrics` (Prometheus text) on 127.0.0.1 only. Port 0 in the configuration
 * disables the server; `startHttpServer` itself binds any given port, so tests pass 0 for an ephemeral one.
 */

export interface HttpServerOptions {
  readonly port: number;
  readonly health: () => { readonly ok: boolean } & Record<string, unknown>;
  readonly metrics: () => string;
}

export interface RunningHttpServer {
  readonly port: number;
  readonly stop: () => Promise<void>;
}

export const startHttpServer = (options: HttpServerOptions): RunningHttpServer => {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (request.method !== "GET") return new Response("method not allowed\n", { status: 405 });
      if (path === "/healthz") {
        const body = options.health();
        return Response.json(body, { status: body.ok ? 200 : 503 });
      }
      if (path === "/metrics")
        return new Response(options.metrics(), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        });
      return new Response("not found: try /healthz or /metrics\n", { status: 404 });
    },
  });
  return { port: server.port ?? options.port, stop: () => server.stop(true) };
};
