/**
 * Finding TELEGRAM_CHAT_ID for the owner: check the token with getMe, then wait (long polling) for the first
 * message the owner sends the bot — "/start" in a private chat, or "/start@bot" in a group — and answer in that
 * chat with its id, so the owner sees the bot can write there. The update is acknowledged, so the bot does not
 * see it again when it starts.
 * @see https://core.telegram.org/bots/api#getupdates
 */
import {
  type BotApiClient,
  bold,
  code,
  type IncomingUpdate,
  plain,
  type TelegramError,
  toHtml,
} from "@signalbot/adapters/telegram";
import { Clock, Data, Effect } from "effect";

export interface FoundChat {
  readonly id: number;
  /** "private", "group", "supergroup" or "channel". */
  readonly type: string;
  /** The group's title, or the person's name and @username. */
  readonly name: string;
}

export class SetupError extends Data.TaggedError("SetupError")<{
  /**
   * badToken: Telegram refused the token; conflict: another program is reading the bot's updates (the bot
   * itself, running); noMessage: nothing arrived in time; unreachable: no answer from Telegram.
   */
  readonly reason: "badToken" | "conflict" | "noMessage" | "unreachable";
  readonly message: string;
}> {}

const fromTelegram = (e: TelegramError): SetupError =>
  e.status === 401 || e.status === 404
    ? new SetupError({ reason: "badToken", message: e.message })
    : e.status === 409
      ? new SetupError({ reason: "conflict", message: e.message })
      : new SetupError({ reason: "unreachable", message: e.message });

const chatOf = (m: NonNullable<IncomingUpdate["message"]>): FoundChat => {
  const c = m.chat;
  const person = [c.first_name, c.username === undefined ? undefined : `@${c.username}`]
    .filter(Boolean)
    .join(" ");
  return { id: c.id, type: c.type, name: c.title ?? (person || String(c.id)) };
};

export interface FindChatOptions {
  /** How long to wait for the owner's message, seconds. */
  readonly waitSeconds: number;
  /** Called once the token is known good, before waiting: tell the owner what to send. */
  readonly onReady?: (botUsername: string) => void;
  /** Long-poll length per request, seconds (default 30; tests shorten it). */
  readonly pollSeconds?: number;
}

/** The bot's username and the first chat that writes to it. */
export const findChat = (
  client: BotApiClient,
  options: FindChatOptions,
): Effect.Effect<{ readonly bot: string; readonly chat: FoundChat }, SetupError> =>
  Effect.gen(function* () {
    const me = yield* client.getMe.pipe(Effect.mapError(fromTelegram));
    // getUpdates answers 409 while a webhook is set; the bot removes it at start anyway.
    yield* client.deleteWebhook.pipe(Effect.mapError(fromTelegram));
    options.onReady?.(me.username);
    const deadline = (yield* Clock.currentTimeMillis) + options.waitSeconds * 1000;
    let offset = 0;
    for (;;) {
      const left = Math.ceil((deadline - (yield* Clock.currentTimeMillis)) / 1000);
      if (left <= 0)
        return yield* new SetupError({
          reason: "noMessage",
          message: `no message reached @${me.username} in ${options.waitSeconds} s`,
        });
      const updates = yield* client
        .getUpdates(offset, Math.min(options.pollSeconds ?? 30, left))
        .pipe(Effect.mapError(fromTelegram));
      for (const u of updates) {
        offset = Math.max(offset, u.update_id + 1);
        if (u.message === undefined) continue;
        // Acknowledge what was read, so the bot's own polling starts after it.
        yield* client.getUpdates(offset, 0).pipe(Effect.mapError(fromTelegram));
        return { bot: me.username, chat: chatOf(u.message) };
      }
    }
  });

/** The message the bot sends in the chat it found (Telegram HTML). */
export const confirmationHtml = (chat: FoundChat): string =>
  toHtml({
    lines: [
      [plain("✅ "), bold("Bot tín hiệu đã kết nối với cuộc trò chuyện này.")],
      [plain("TELEGRAM_CHAT_ID="), code(String(chat.id))],
      [plain("Tín hiệu, kết quả lệnh ảo và cảnh báo sẽ được gửi tới đây. Gõ /help để xem các lệnh.")],
    ],
  });

/** Says hello in the chat; a failure here means the bot cannot write there (e.g. not allowed in the group). */
export const confirm = (client: BotApiClient, chat: FoundChat): Effect.Effect<void, SetupError> =>
  client.sendMessage(String(chat.id), confirmationHtml(chat)).pipe(Effect.mapError(fromTelegram));
