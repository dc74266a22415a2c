/**
 * The dashboard's live updates as server-sent events (`/events`): while at least one page listens, the view
 * is gathered every `intervalMs` and each page receives the sections whose HTML changed since it last heard
 * (all of them when it connects), as one `sections` event of JSON. Nothing runs while nobody watches. A comment
 * line every 15 s keeps proxies from closing a quiet stream.
 */
import type { Lang } from "./Dictionary.ts";

export interface FeedFrame {
  /** The view's time (the loop's clock), for the countdowns. */
  readonly time: number;
  readonly sections: Readonly<Record<string, string>>;
}

export interface LiveFeedOptions {
  /** One frame per language in use (undefined when the view could not be gathered: nothing is sent). */
  readonly frame: (langs: ReadonlySet<Lang>) => Promise<ReadonlyMap<Lang, FeedFrame> | undefined>;
  /** Default 1000 ms. */
  readonly intervalMs?: number;
  /** Default 15 s. */
  readonly keepAliveMs?: number;
  readonly onError?: (error: unknown) => void;
}

interface Client {
  readonly lang: Lang;
  readonly send: (text: string) => void;
  readonly close: () => void;
  /** Section id → the HTML this page shows. */
  readonly shown: Map<string, string>;
  lastSentAt: number;
}

const encoder = new TextEncoder();

export const makeLiveFeed = (options: LiveFeedOptions) => {
  const clients = new Set<Client>();
  const intervalMs = options.intervalMs ?? 1000;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  let timer: ReturnType<typeof setInterval> | undefined;
  let busy = false;

  const push = (client: Client, frame: FeedFrame) => {
    const changed: Record<string, string> = {};
    let any = false;
    for (const [id, text] of Object.entries(frame.sections))
      if (client.shown.get(id) !== text) {
        changed[id] = text;
        client.shown.set(id, text);
        any = true;
      }
    if (any) {
      client.send(`event: sections\ndata: ${JSON.stringify({ time: frame.time, sections: changed })}\n\n`);
      client.lastSentAt = Date.now();
    } else if (Date.now() - client.lastSentAt >= keepAliveMs) {
      client.send(`: keep-alive\n\n`);
      client.lastSentAt = Date.now();
    }
  };

  /** One round: gather, render per language, send the differences. Rounds never overlap. */
  const tick = async () => {
    if (busy || clients.size === 0) return;
    busy = true;
    try {
      const langs = new Set([...clients].map((c) => c.lang));
      const frames = await options.frame(langs);
      if (frames !== undefined)
        for (const client of clients) {
          const frame = frames.get(client.lang);
          if (frame !== undefined) push(client, frame);
        }
    } catch (e) {
      options.onError?.(e);
    } finally {
      busy = false;
    }
  };

  const start = () => {
    if (timer === undefined) timer = setInterval(() => void tick(), intervalMs);
  };
  const stopIfIdle = () => {
    if (clients.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  /** A page subscribes: a stream of events that ends when the page goes away (or `close`). */
  const connect = (lang: Lang, signal: AbortSignal): Response => {
    let client: Client | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        client = {
          lang,
          shown: new Map(),
          lastSentAt: Date.now(),
          send: (text) => {
            try {
              controller.enqueue(encoder.encode(text));
            } catch {
              drop();
            }
          },
          close: () => {
            try {
              controller.close();
            } catch {
              // already closed by the page
            }
          },
        };
        clients.add(client);
        client.send("retry: 3000\n\n");
        start();
        void tick();
      },
      cancel() {
        drop();
      },
    });
    const drop = () => {
      if (client === undefined) return;
      clients.delete(client);
      stopIfIdle();
    };
    signal.addEventListener("abort", drop, { once: true });
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  };

  return {
    connect,
    close: () => {
      for (const c of clients) c.close();
      clients.clear();
      stopIfIdle();
    },
  };
};
