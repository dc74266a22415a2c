/**
 * The dashboard's routes on the bot's HTTP port, all read-only: `/` (the page, `?lang=vi|en`), `/assets/…`
 * (script and stylesheet, embedded in the program), `/api/view` (the whole view as JSON), `/api/chart`
 * (one chart's data), `/events` (live updates, server-sent events) and `/reports/…` (REPORTS_DIR).
 * Access control and security headers are the HTTP server's (Access.ts), applied to every route.
 */
import { createHash } from "node:crypto";
import type { Effect } from "effect";
import type { Logger } from "../observability/Log.ts";
import { dashboardAssets } from "./Assets.ts" with { type: "macro" };
import { type ChartServices, equityChart, makeCharts } from "./Charts.ts";
import {
  type DashboardLoop,
  type DashboardSettings,
  type DashboardView,
  makeViewGatherer,
  type ViewServices,
} from "./DashboardView.ts";
import { isLang, type Lang } from "./Dictionary.ts";
import { type FeedFrame, makeLiveFeed } from "./LiveFeed.ts";
import { type PageContext, renderPage, renderSections } from "./Page.ts";
import { listReports, reportCsp, reportPath } from "./Reports.ts";

const ASSETS = dashboardAssets();
const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);
const SCRIPT_PATH = `/assets/app-${hash(ASSETS.script)}.js`;
const STYLE_PATH = `/assets/app-${hash(ASSETS.style)}.css`;

export type DashboardServices = ViewServices | ChartServices;

export interface DashboardOptions {
  readonly loop: DashboardLoop;
  readonly settings: DashboardSettings & {
    /** REPORTS_DIR. */
    readonly reportsDir: string;
  };
  /** Runs an effect with the bot's services (its store, memory, book, market data and clock). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, DashboardServices>) => Promise<A>;
  readonly log: Logger;
  /** Live update interval (default 1000 ms). */
  readonly refreshMs?: number;
}

export interface Dashboard {
  /** The answer for a dashboard path, or undefined when the path is not the dashboard's. */
  readonly handle: (request: Request, url: URL) => Promise<Response> | undefined;
  readonly close: () => void;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });

/** Gzipped once: the script is 186 KB, 61 KB compressed (a phone through a tunnel notices). */
const SCRIPT_GZ = Bun.gzipSync(ASSETS.script);
const STYLE_GZ = Bun.gzipSync(ASSETS.style);

const asset = (request: Request, body: string, gz: Uint8Array, type: string) => {
  const headers: Record<string, string> = {
    "content-type": type,
    "cache-control": "public, max-age=31536000, immutable",
    vary: "accept-encoding",
  };
  if (!/\bgzip\b/.test(request.headers.get("accept-encoding") ?? "")) return new Response(body, { headers });
  return new Response(gz, { headers: { ...headers, "content-encoding": "gzip" } });
};

const LANG_COOKIE = "signalbot_lang";

/** `?lang=` first, then the cookie a previous choice left, then Vietnamese. */
const langOf = (request: Request, url: URL): { lang: Lang; remember: boolean } => {
  const asked = url.searchParams.get("lang");
  if (isLang(asked)) return { lang: asked, remember: true };
  const cookie = /(?:^|;\s*)signalbot_lang=(vi|en)\b/.exec(request.headers.get("cookie") ?? "")?.[1];
  return { lang: isLang(cookie) ? cookie : "vi", remember: false };
};

export const makeDashboard = (options: DashboardOptions): Dashboard => {
  const { log, settings } = options;
  const gather = makeViewGatherer(options.loop, settings);
  const charts = makeCharts(options.loop, settings.models);
  let lastView: DashboardView | undefined;

  const view = () =>
    options.run(gather).then((v) => {
      lastView = v;
      return v;
    });

  const pageContext = (lang: Lang): PageContext => ({
    lang,
    ...(settings.models === undefined ? {} : { models: settings.models }),
    reports: listReports(settings.reportsDir),
    reportsDir: settings.reportsDir,
    assets: { script: SCRIPT_PATH, style: STYLE_PATH },
  });

  let failing = false;
  const feed = makeLiveFeed({
    intervalMs: options.refreshMs ?? 1000,
    frame: async (langs) => {
      const v = await view();
      if (failing) log.info("dashboard: view available again");
      failing = false;
      const frames = new Map<Lang, FeedFrame>();
      for (const lang of langs)
        frames.set(lang, { time: v.time, sections: renderSections(v, pageContext(lang)) });
      return frames;
    },
    onError: (e) => {
      if (!failing) log.warn(`dashboard: cannot gather the view, retrying every second: ${String(e)}`);
      failing = true;
    },
  });

  const unavailable = (e: unknown) => {
    log.warn(`dashboard: request failed: ${String(e)}`);
    return new Response("the dashboard cannot read the bot's state right now; see the log\n", {
      status: 503,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  };

  const page = async (request: Request, url: URL) => {
    const { lang, remember } = langOf(request, url);
    const body = renderPage(await view(), pageContext(lang));
    const headers: Record<string, string> = {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    };
    if (remember) headers["set-cookie"] = `${LANG_COOKIE}=${lang}; Path=/; SameSite=Strict; Max-Age=31536000`;
    return new Response(body, { headers });
  };

  const chart = async (url: URL) => {
    const asked = url.searchParams.get("lang");
    const lang: Lang = isLang(asked) ? asked : "vi";
    const trade = url.searchParams.get("trade");
    const signal = url.searchParams.get("signal");
    if (url.searchParams.has("equity")) return json(equityChart(lang, (lastView ?? (await view())).equity));
    const data =
      trade !== null
        ? await options.run(charts.trade(trade, lang))
        : signal !== null
          ? await options.run(charts.signal(signal, lang))
          : undefined;
    return data === undefined ? json({ error: "no such trade or signal" }, 404) : json(data);
  };

  const report = (name: string) => {
    const file = reportPath(settings.reportsDir, name);
    if (file === undefined) return new Response("no such report\n", { status: 404 });
    const bytes = Bun.file(file);
    if (file.endsWith(".json"))
      return new Response(bytes, { headers: { "content-type": "application/json; charset=utf-8" } });
    return bytes.text().then(
      (text) =>
        new Response(text, {
          headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": reportCsp(text) },
        }),
    );
  };

  const handle = (request: Request, url: URL): Promise<Response> | undefined => {
    const path = url.pathname;
    const guarded = (f: () => Promise<Response> | Response) => Promise.resolve().then(f).catch(unavailable);
    if (path === "/" || path === "/index.html") return guarded(() => page(request, url));
    if (path === SCRIPT_PATH)
      return Promise.resolve(asset(request, ASSETS.script, SCRIPT_GZ, "text/javascript; charset=utf-8"));
    if (path === STYLE_PATH)
      return Promise.resolve(asset(request, ASSETS.style, STYLE_GZ, "text/css; charset=utf-8"));
    if (path === "/api/view") return guarded(async () => json(await view()));
    if (path === "/api/chart") return guarded(() => chart(url));
    if (path === "/events") {
      const { lang } = langOf(request, url);
      return Promise.resolve(feed.connect(lang, request.signal));
    }
    if (path.startsWith("/reports/")) {
      let name: string;
      try {
        name = decodeURIComponent(path.slice("/reports/".length));
      } catch {
        return Promise.resolve(new Response("no such report\n", { status: 404 }));
      }
      return guarded(() => report(name));
    }
    return undefined;
  };

  return { handle, close: feed.close };
};
