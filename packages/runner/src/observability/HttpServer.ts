/**
 * The bot's HTTP server: `/healthz` (JSON), `/metrics` (Prometheus text) and whatever `routes` answers (the
 * dashboard). Listens on HTTP_HOST (127.0.0.1 by default); every request goes through the access check
 * (DASHBOARD_TOKEN, Host header, GET/HEAD only) and every answer carries the security headers (dashboard/Access.ts).
 * Port 0 in the configuration disables the server; `startHttpServer` itself binds any given port, so tests pass 0
 * for an ephemeral one.
 */
import { checkAccess, refusal, secured } from "../dashboard/Access.ts";

export interface HttpServerOptions {
  readonly port: number;
  /** Address to listen on (default 127.0.0.1). */
  readonly hostname?: string;
  /** DASHBOARD_TOKEN: when set, every request must carry it. */
  readonly token?: string;
  readonly health: () => { readonly ok: boolean } & Record<string, unknown>;
  readonly metrics: () => string;
  /** Further routes: a response for the paths they own, undefined for the others. */
  readonly routes?: (request: Request, url: URL) => Promise<Response> | undefined;
}

export interface RunningHttpServer {
  readonly port: number;
  readonly hostname: string;
  readonly stop: () => Promise<void>;
}

export const startHttpServer = (options: HttpServerOptions): RunningHttpServer => {
  const hostname = options.hostname ?? "127.0.0.1";
  const answer = (request: Request, url: URL): Response | Promise<Response> => {
    const path = url.pathname;
    if (path === "/healthz") {
      const body = options.health();
      return Response.json(body, { status: body.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
    }
    if (path === "/metrics")
      return new Response(options.metrics(), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    return (
      options.routes?.(request, url) ??
      new Response("not found: try /, /healthz or /metrics\n", { status: 404 })
    );
  };
  const server = Bun.serve({
    hostname,
    port: options.port,
    async fetch(request, srv) {
      const url = new URL(request.url);
      const access = checkAccess(request, url, options.token);
      if (access._tag === "Refused") return refusal(access);
      if (access._tag === "Redirect")
        return secured(
          new Response(null, {
            status: 303,
            headers: { location: access.location, "set-cookie": access.cookie },
          }),
        );
      const response = await answer(request, url);
      // A live-update stream stays open for as long as the page does.
      if (response.headers.get("content-type")?.startsWith("text/event-stream")) srv.timeout(request, 0);
      return secured(response);
    },
  });
  return { port: server.port ?? options.port, hostname, stop: () => server.stop(true) };
};

/** The address to open in a browser: a wildcard address means this machine's loopback. */
export const dashboardUrl = (server: Pick<RunningHttpServer, "hostname" | "port">): string => {
  const h = server.hostname === "0.0.0.0" || server.hostname === "::" ? "127.0.0.1" : server.hostname;
  return `http://${h.includes(":") ? `[${h}]` : h}:${server.port}/`;
};
