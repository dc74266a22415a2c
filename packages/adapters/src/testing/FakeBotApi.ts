/**
 * A loopback fake of the Telegram Bot API (Bun.serve on 127.0.0.1, port 0) for integration tests and benchmarks:
 * getMe, sendMessage, sendPhoto (multipart), getUpdates (long polling, offset semantics), deleteWebhook,
 * setMyCommands (validated as Telegram does),
 * with injectable 429/5xx answers, a record of every request, and a way to push incoming updates.
 * @see https://core.telegram.org/bots/api#making-requests
 */

/** One request as the fake saw it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly token: string;
  readonly httpMethod: string;
  readonly contentType: string;
  /** The Content-Encoding header of the request body, when the client compressed it. */
  readonly contentEncoding: string | undefined;
  /** Decoded parameters (JSON body, form fields, or query string). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Files of a multipart upload, by field name. */
  readonly files: Readonly<
    Record<string, { readonly name: string; readonly type: string; readonly bytes: Uint8Array }>
  >;
  /** What the fake answered (0: never answered, see `hang`). */
  readonly status: number;
  /** When it arrived, on the fake's clock (`now`). */
  readonly at: number;
}

/** A scripted failure: the next `times` matching requests get this answer. */
export interface FailureSpec {
  /** Only requests to this method (default: any method except getUpdates). */
  readonly method?: string;
  readonly status: number;
  /** Seconds, sent as `parameters.retry_after` (429). */
  readonly retryAfter?: number;
  readonly description?: string;
  readonly times?: number;
}

export interface FakeUpdateMessage {
  readonly chatId: number;
  readonly fromId: number;
  readonly text: string;
  readonly chatType?: "private" | "group" | "supergroup";
  /** A group's title (default "Test group"). */
  readonly chatTitle?: string;
}

export interface FakeBotApi {
  /** e.g. `http://127.0.0.1:41234` — pass as the client's API root. */
  readonly apiRoot: string;
  readonly token: string;
  readonly received: readonly ReceivedRequest[];
  /** Accepted sendMessage/sendPhoto requests, in order. */
  readonly delivered: () => readonly ReceivedRequest[];
  readonly fail: (spec: FailureSpec) => void;
  /**
   * The next `times` (default 1) requests to `method` (default: any send) are recorded with status 0 and never
   * answered: a Telegram request that hangs. Resolves with each hung request as it arrives.
   */
  readonly hang: (spec: { readonly method?: string; readonly times?: number }) => void;
  /** Resolves once `n` requests have been hung by `hang` (in all). */
  readonly whenHung: (n: number) => Promise<void>;
  /** Resolves once `n` requests (to `method`, when given) have been received in all, whatever the answer. */
  readonly whenReceived: (n: number, method?: string) => Promise<void>;
  /** Resolves once Telegram has accepted `n` sendMessage/sendPhoto requests (in all). */
  readonly whenDelivered: (n: number) => Promise<void>;
  /** While set, every send (not getUpdates) is answered with this failure: an outage. */
  readonly setDown: (spec: Omit<FailureSpec, "times"> | undefined) => void;
  /** Queue an incoming message (a command) for getUpdates; returns its update_id. */
  readonly pushMessage: (m: FakeUpdateMessage) => number;
  /** Number of getUpdates calls currently waiting (long polling). */
  readonly pendingPolls: () => number;
  readonly stop: () => Promise<void>;
}

const DEFAULT_TOKEN = "123456:TEST-fake-token-never-real";

const errorBody = (status: number, description: string, retryAfter?: number) => ({
  ok: false,
  error_code: status,
  description,
  ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}),
});

const defaultDescription = (status: number, retryAfter?: number): string => {
  if (status === 429) return `Too Many Requests: retry after ${retryAfter ?? 1}`;
  if (status === 400) return "Bad Request: chat not found";
  if (status === 401) return "Unauthorized";
  if (status === 403) return "Forbidden: bot was blocked by the user";
  if (status >= 500) return "Bad Gateway";
  return "Error";
};

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const decodeBody = async (
  req: Request,
): Promise<{
  params: Record<string, unknown>;
  files: ReceivedRequest["files"];
  encoding: string | undefined;
}> => {
  const url = new URL(req.url);
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const files: Record<string, { name: string; type: string; bytes: Uint8Array }> = {};
  const encoding = req.headers.get("content-encoding") ?? undefined;
  if (req.method !== "POST") return { params, files, encoding };
  const type = req.headers.get("content-type") ?? "";
  if (type.startsWith("multipart/form-data") || type.startsWith("application/x-www-form-urlencoded")) {
    const form = await req.formData();
    for (const [k, v] of form.entries()) {
      if (typeof v === "string") params[k] = v;
      else files[k] = { name: v.name, type: v.type, bytes: new Uint8Array(await v.arrayBuffer()) };
    }
    // `photo=attach://<field>` names the multipart field that holds the file; expose it as files.photo too.
    for (const [k, v] of Object.entries(params)) {
      const attached = typeof v === "string" && v.startsWith("attach://") ? files[v.slice(9)] : undefined;
      if (attached) files[k] = attached;
    }
    return { params, files, encoding };
  }
  let raw = new Uint8Array(await req.arrayBuffer());
  if (raw.length === 0) return { params, files, encoding };
  if (encoding === "gzip") raw = Bun.gunzipSync(raw);
  else if (encoding === "deflate") raw = Bun.inflateSync(raw);
  Object.assign(params, JSON.parse(new TextDecoder().decode(raw)));
  return { params, files, encoding };
};

/** Start a fake Bot API. The clock only stamps message dates; it defaults to the wall clock. */
export const startFakeBotApi = (
  options: {
    readonly token?: string;
    readonly now?: () => number;
    /** Called with every request as it is recorded (before the answer is sent), e.g. to kill a client mid-send. */
    readonly onReceive?: (request: ReceivedRequest) => void;
  } = {},
): FakeBotApi => {
  const token = options.token ?? DEFAULT_TOKEN;
  const now = options.now ?? (() => Date.now());
  const received: ReceivedRequest[] = [];
  const failures: { spec: FailureSpec; left: number }[] = [];
  let down: Omit<FailureSpec, "times"> | undefined;
  let nextUpdateId = 100_000;
  let nextMessageId = 1;
  let updates: { update_id: number }[] = [];
  const waiters = new Set<() => void>();
  let stopping = false;
  const hangs: { method: string | undefined; left: number }[] = [];
  const held = new Set<() => void>();
  let hung = 0;
  const countWaiters: { n: number; count: () => number; resolve: () => void }[] = [];
  const deliveredCount = () =>
    received.filter((r) => r.status === 200 && (r.method === "sendMessage" || r.method === "sendPhoto"))
      .length;
  const checkWaiters = () => {
    for (const w of [...countWaiters])
      if (w.count() >= w.n) {
        countWaiters.splice(countWaiters.indexOf(w), 1);
        w.resolve();
      }
  };
  const whenCount = (n: number, count: () => number) =>
    new Promise<void>((resolve) => {
      countWaiters.push({ n, count, resolve });
      checkWaiters();
    });
  const takeHang = (method: string): boolean => {
    const isSend = method === "sendMessage" || method === "sendPhoto";
    const i = hangs.findIndex((h) => (h.method === undefined ? isSend : h.method === method));
    if (i < 0) return false;
    const h = hangs[i]!;
    if (--h.left <= 0) hangs.splice(i, 1);
    return true;
  };

  const wakeAll = () => {
    for (const w of [...waiters]) w();
  };

  const takeFailure = (method: string): Omit<FailureSpec, "times"> | undefined => {
    const isPoll = method === "getUpdates";
    if (down && !isPoll && (down.method === undefined || down.method === method)) return down;
    const i = failures.findIndex((f) => (f.spec.method === undefined ? !isPoll : f.spec.method === method));
    if (i < 0) return undefined;
    const f = failures[i]!;
    f.left -= 1;
    if (f.left <= 0) failures.splice(i, 1);
    return f.spec;
  };

  const chatOf = (chatId: unknown) => {
    const id = Number(chatId);
    return { id, type: id < 0 ? "supergroup" : "private" };
  };

  const getUpdates = async (params: Record<string, unknown>, signal: AbortSignal): Promise<unknown[]> => {
    const offset = params.offset === undefined ? undefined : Number(params.offset);
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeoutS = Math.max(0, Number(params.timeout ?? 0));
    // Telegram semantics: an offset confirms (forgets) every update with a smaller id.
    if (offset !== undefined && offset > 0) updates = updates.filter((u) => u.update_id >= offset);
    const pick = () =>
      offset !== undefined && offset < 0 ? updates.slice(offset).slice(0, limit) : updates.slice(0, limit);
    if (pick().length > 0 || timeoutS === 0 || stopping) return pick();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, timeoutS * 1000);
      waiters.add(done);
      signal.addEventListener("abort", done);
    });
    return pick();
  };

  const handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) return json(404, errorBody(404, "Not Found"));
    const [, reqToken = "", method = ""] = match;
    const { params, files, encoding } = await decodeBody(req).catch(() => ({
      params: {} as Record<string, unknown>,
      files: {} as ReceivedRequest["files"],
      encoding: req.headers.get("content-encoding") ?? undefined,
    }));
    const record = (status: number) => {
      const r: ReceivedRequest = {
        method,
        token: reqToken,
        httpMethod: req.method,
        contentType: req.headers.get("content-type") ?? "",
        contentEncoding: encoding,
        params,
        files,
        status,
        at: now(),
      };
      received.push(r);
      options.onReceive?.(r);
      checkWaiters();
    };
    if (reqToken !== token) {
      record(401);
      return json(401, errorBody(401, "Unauthorized"));
    }
    if (takeHang(method)) {
      record(0);
      hung++;
      checkWaiters();
      // Never answered; the client gives up (abort) or the fake stops.
      return new Promise<Response>((resolve) => {
        const release = () => {
          held.delete(release);
          resolve(json(502, errorBody(502, "Bad Gateway")));
        };
        held.add(release);
        req.signal.addEventListener("abort", release);
      });
    }
    const failure = takeFailure(method);
    if (failure) {
      record(failure.status);
      return json(
        failure.status,
        errorBody(
          failure.status,
          failure.description ?? defaultDescription(failure.status, failure.retryAfter),
          failure.status === 429 ? (failure.retryAfter ?? 1) : failure.retryAfter,
        ),
      );
    }
    const date = Math.floor(now() / 1000);
    switch (method) {
      case "getMe":
        record(200);
        return json(200, {
          ok: true,
          result: { id: Number(token.split(":")[0]), is_bot: true, first_name: "Fake", username: "fake_bot" },
        });
      case "deleteWebhook":
        record(200);
        return json(200, { ok: true, result: true, description: "Webhook is already deleted" });
      case "setMyCommands": {
        const commands = typeof params.commands === "string" ? JSON.parse(params.commands) : params.commands;
        const valid =
          Array.isArray(commands) &&
          commands.length <= 100 &&
          commands.every(
            (c: { command?: unknown; description?: unknown }) =>
              typeof c.command === "string" &&
              /^[a-z0-9_]{1,32}$/.test(c.command) &&
              typeof c.description === "string" &&
              c.description.length >= 1 &&
              c.description.length <= 256,
          );
        if (!valid) {
          record(400);
          return json(400, errorBody(400, "Bad Request: BOT_COMMAND_INVALID"));
        }
        record(200);
        return json(200, { ok: true, result: true });
      }
      case "sendMessage": {
        if (typeof params.text !== "string" || params.text.length === 0) {
          record(400);
          return json(400, errorBody(400, "Bad Request: message text is empty"));
        }
        if (params.text.length > 4096) {
          record(400);
          return json(400, errorBody(400, "Bad Request: message is too long"));
        }
        record(200);
        return json(200, {
          ok: true,
          result: { message_id: nextMessageId++, date, chat: chatOf(params.chat_id), text: params.text },
        });
      }
      case "sendPhoto": {
        const photo = files.photo;
        if (!photo && typeof params.photo !== "string") {
          record(400);
          return json(400, errorBody(400, "Bad Request: there is no photo in the request"));
        }
        if (typeof params.caption === "string" && params.caption.length > 1024) {
          record(400);
          return json(400, errorBody(400, "Bad Request: message caption is too long"));
        }
        record(200);
        return json(200, {
          ok: true,
          result: {
            message_id: nextMessageId++,
            date,
            chat: chatOf(params.chat_id),
            photo: [
              { file_id: `photo-${nextMessageId}`, file_unique_id: `u${nextMessageId}`, width: 1, height: 1 },
            ],
            ...(typeof params.caption === "string" ? { caption: params.caption } : {}),
          },
        });
      }
      case "getUpdates": {
        record(200); // on arrival, so a test can see the offset of a poll that is still held
        const result = await getUpdates(params, req.signal);
        return json(200, { ok: true, result });
      }
      default:
        record(404);
        return json(404, errorBody(404, "Not Found: method not found"));
    }
  };

  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, idleTimeout: 255, fetch: handle });

  return {
    apiRoot: `http://127.0.0.1:${server.port}`,
    token,
    received,
    delivered: () =>
      received.filter((r) => r.status === 200 && (r.method === "sendMessage" || r.method === "sendPhoto")),
    fail: (spec) => failures.push({ spec, left: spec.times ?? 1 }),
    hang: (spec) => hangs.push({ method: spec.method, left: spec.times ?? 1 }),
    whenHung: (n) => whenCount(n, () => hung),
    whenDelivered: (n) => whenCount(n, deliveredCount),
    whenReceived: (n, method) =>
      whenCount(n, () => received.filter((r) => method === undefined || r.method === method).length),
    setDown: (spec) => {
      down = spec;
    },
    pushMessage: (m) => {
      const update_id = nextUpdateId++;
      const isCommand = m.text.startsWith("/");
      const commandLength = isCommand ? (m.text.split(/\s/)[0]?.length ?? 0) : 0;
      updates.push({
        update_id,
        message: {
          message_id: nextMessageId++,
          date: Math.floor(now() / 1000),
          chat:
            (m.chatType ?? (m.chatId < 0 ? "supergroup" : "private")) === "private"
              ? { id: m.chatId, type: "private", first_name: `user${m.fromId}` }
              : { id: m.chatId, type: m.chatType ?? "supergroup", title: m.chatTitle ?? "Test group" },
          from: { id: m.fromId, is_bot: false, first_name: `user${m.fromId}` },
          text: m.text,
          ...(isCommand ? { entities: [{ type: "bot_command", offset: 0, length: commandLength }] } : {}),
        },
      } as { update_id: number });
      wakeAll();
      return update_id;
    },
    pendingPolls: () => waiters.size,
    stop: async () => {
      stopping = true;
      wakeAll();
      for (const release of [...held]) release();
      await server.stop(true);
    },
  };
};
