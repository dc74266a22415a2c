/**
 * The few Telegram Bot API calls the bot makes, as Effects over grammY's `Api` (plain JSON bodies, multipart
 * photos, abortable long polling under Bun — see the contract test). Failures become one `TelegramError`
 * whose `reason` drives the retry policy; the token never appears in an error or a log line.
 * @see https://core.telegram.org/bots/api
 */
import { Clock, Data, Effect, Schema } from "effect";
import { Api, GrammyError, HttpError, InputFile } from "grammy";

export class TelegramError extends Data.TaggedError("TelegramError")<{
  readonly method: string;
  /**
   * rateLimited: 429 (see retryAfterMs); transient: 5xx, network or no answer in time; blocked: the bot or the
   * chat is refused as a whole (401 bad token, 403 bot blocked or kicked, 400 chat not found...), so no message
   * can go until the owner fixes it; permanent: this one request is refused (any other 4xx) or a bad answer.
   */
  readonly reason: "rateLimited" | "transient" | "blocked" | "permanent";
  readonly status?: number;
  readonly retryAfterMs?: number;
  /** Redacted: never contains the bot token. */
  readonly message: string;
}> {}

/** The part of an incoming update the command handler reads; everything else is ignored. */
export const IncomingUpdate = Schema.Struct({
  update_id: Schema.Number,
  message: Schema.optional(
    Schema.Struct({
      chat: Schema.Struct({
        id: Schema.Number,
        type: Schema.String,
        /** Group title, or the user's name and @username in a private chat (shown by `bun run telegram-setup`). */
        title: Schema.optional(Schema.String),
        first_name: Schema.optional(Schema.String),
        username: Schema.optional(Schema.String),
      }),
      from: Schema.optional(Schema.Struct({ id: Schema.Number })),
      text: Schema.optional(Schema.String),
    }),
  ),
});
export type IncomingUpdate = typeof IncomingUpdate.Type;
const decodeUpdates = Schema.decodeUnknownEffect(Schema.Array(IncomingUpdate));

export interface BotApiClient {
  readonly getMe: Effect.Effect<{ readonly id: number; readonly username: string }, TelegramError>;
  readonly deleteWebhook: Effect.Effect<void, TelegramError>;
  /** Send HTML text (≤ 4096 characters). */
  readonly sendMessage: (chatId: string, html: string) => Effect.Effect<void, TelegramError>;
  /** Upload a PNG with an HTML caption (≤ 1024 characters). */
  readonly sendPhoto: (
    chatId: string,
    png: Uint8Array,
    captionHtml: string,
  ) => Effect.Effect<void, TelegramError>;
  /** The "/" menu Telegram shows in the chat: command names (without "/") and their descriptions. */
  readonly setMyCommands: (
    commands: readonly { readonly command: string; readonly description: string }[],
  ) => Effect.Effect<void, TelegramError>;
  /** Long poll; interrupting the Effect aborts the HTTP request (clean stop). */
  readonly getUpdates: (
    offset: number,
    timeoutSeconds: number,
  ) => Effect.Effect<readonly IncomingUpdate[], TelegramError>;
}

export interface BotApiClientConfig {
  /** TELEGRAM_BOT_TOKEN. */
  readonly token: string;
  /** TELEGRAM_API_ROOT, default https://api.telegram.org. */
  readonly apiRoot?: string;
  /** Per-request bounds; a request not answered in time is aborted and fails as `transient` (retried). */
  readonly timeouts?: Partial<BotApiTimeouts>;
  /**
   * The clock the bounds are measured on: the wall clock by default, whatever clock the calling program runs
   * on (the demo and the simulations run the bot on market time, where 15 s pass in a few milliseconds).
   * Tests pass their `TestClock`.
   */
  readonly deadlineClock?: Clock.Clock;
}

/** How long each kind of request may take (ms), measured on `deadlineClock`. */
export interface BotApiTimeouts {
  /** sendMessage, getMe, deleteWebhook. Default 15 000. */
  readonly requestMs: number;
  /** sendPhoto: a PNG upload of ~100 KB, slow links included. Default 60 000. */
  readonly photoMs: number;
  /** getUpdates: the long-poll timeout plus this. Default 15 000. */
  readonly pollSlackMs: number;
}

export const DEFAULT_BOT_API_TIMEOUTS: BotApiTimeouts = {
  requestMs: 15_000,
  photoMs: 60_000,
  pollSlackMs: 15_000,
};

/** Replace every occurrence of the token (and its numeric-id-less secret half) with a placeholder. */
export const redact = (text: string, token: string): string => {
  if (token.length === 0) return text;
  let out = text.split(token).join("<token>");
  const secret = token.split(":")[1];
  if (secret && secret.length >= 8) out = out.split(secret).join("<token>");
  return out;
};

/**
 * Answers that refuse the bot or the chat as a whole rather than one message: a wrong or revoked token (401, or 404
 * for a malformed one), the bot blocked by the user or kicked from the group (403), a chat id that does not exist
 * or a group it may not write to (400). Retrying another message would get the same answer.
 * @see https://core.telegram.org/bots/api#making-requests
 */
const CHAT_REFUSED =
  /chat not found|bot was kicked|bot is not a member|not enough rights|have no rights|need administrator rights|CHAT_WRITE_FORBIDDEN|CHAT_RESTRICTED|group chat was upgraded|user is deactivated|PEER_ID_INVALID|chat_id is empty/i;

const refusesEverything = (status: number, description: string): boolean =>
  status === 401 || status === 403 || status === 404 || (status === 400 && CHAT_REFUSED.test(description));

/** Map whatever grammY threw to a TelegramError (429 → rateLimited, 5xx/network → transient, 4xx → blocked or permanent). */
export const toTelegramError = (method: string, token: string, e: unknown): TelegramError => {
  if (e instanceof GrammyError) {
    const status = e.error_code;
    const retryAfter = e.parameters.retry_after;
    const message = redact(`${method}: ${status} ${e.description}`, token);
    if (status === 429)
      return new TelegramError({
        method,
        reason: "rateLimited",
        status,
        retryAfterMs: (retryAfter ?? 1) * 1000,
        message,
      });
    const reason =
      status >= 500 ? "transient" : refusesEverything(status, e.description) ? "blocked" : "permanent";
    return new TelegramError({ method, reason, status, message });
  }
  if (e instanceof HttpError) {
    const inner = e.error instanceof Error ? e.error.message : String(e.error);
    return new TelegramError({
      method,
      reason: "transient",
      message: redact(`${method}: network: ${inner}`, token),
    });
  }
  const text = e instanceof Error ? e.message : String(e);
  return new TelegramError({ method, reason: "transient", message: redact(`${method}: ${text}`, token) });
};

type GrammySignal = NonNullable<Parameters<Api["getMe"]>[0]>;

export const makeBotApiClient = (config: BotApiClientConfig): BotApiClient => {
  const bounds: BotApiTimeouts = { ...DEFAULT_BOT_API_TIMEOUTS, ...config.timeouts };
  const deadlineClock = config.deadlineClock ?? Clock.Clock.defaultValue();
  const api = new Api(config.token, { apiRoot: config.apiRoot ?? "https://api.telegram.org" });
  // grammY's Node typings name the `abort-controller` polyfill's AbortSignal; Bun's native one is what it gets.
  // Past `boundMs` the Effect is interrupted, which aborts the HTTP request (grammY's own 500 s never matters).
  const call = <A>(
    method: string,
    f: (signal: GrammySignal) => Promise<A>,
    boundMs = bounds.requestMs,
  ): Effect.Effect<A, TelegramError> =>
    Effect.tryPromise({
      try: (signal) => f(signal as unknown as GrammySignal),
      catch: (e) => toTelegramError(method, config.token, e),
    }).pipe(
      Effect.timeoutOrElse({
        duration: boundMs,
        orElse: () =>
          Effect.fail(
            new TelegramError({
              method,
              reason: "transient",
              message: `${method}: no answer within ${boundMs / 1000} s, request aborted`,
            }),
          ),
      }),
      Effect.provideService(Clock.Clock, deadlineClock),
    );
  return {
    getMe: call("getMe", (signal) => api.getMe(signal)).pipe(
      Effect.map((me) => ({ id: me.id, username: me.username })),
    ),
    deleteWebhook: call("deleteWebhook", (signal) => api.deleteWebhook({}, signal)).pipe(Effect.asVoid),
    sendMessage: (chatId, html) =>
      call("sendMessage", (signal) =>
        api.sendMessage(
          chatId,
          html,
          { parse_mode: "HTML", link_preview_options: { is_disabled: true } },
          signal,
        ),
      ).pipe(Effect.asVoid),
    sendPhoto: (chatId, png, captionHtml) =>
      call(
        "sendPhoto",
        (signal) =>
          api.sendPhoto(
            chatId,
            new InputFile(png, "chart.png"),
            { caption: captionHtml, parse_mode: "HTML" },
            signal,
          ),
        bounds.photoMs,
      ).pipe(Effect.asVoid),
    setMyCommands: (commands) =>
      call("setMyCommands", (signal) => api.setMyCommands(commands, {}, signal)).pipe(Effect.asVoid),
    getUpdates: (offset, timeoutSeconds) =>
      call(
        "getUpdates",
        (signal) => api.getUpdates({ offset, timeout: timeoutSeconds, allowed_updates: ["message"] }, signal),
        timeoutSeconds * 1000 + bounds.pollSlackMs,
      ).pipe(
        Effect.flatMap((raw) =>
          decodeUpdates(raw).pipe(
            Effect.mapError(
              (e) =>
                new TelegramError({
                  method: "getUpdates",
                  reason: "permanent",
                  message: `getUpdates: unexpected answer: ${e.message}`,
                }),
            ),
          ),
        ),
      ),
  };
};
