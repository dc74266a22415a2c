/**
 * `Notifier` for runs without TELEGRAM_BOT_TOKEN: prints the same Vietnamese messages as plain text (the
 * Telegram templates rendered without HTML), so a local run shows exactly what the owner would receive.
 */
import { type Model, type Notification, Notifier } from "@signalbot/core";
import { Effect, Layer } from "effect";
import { htmlToPlain, toPlain } from "../telegram/Message.ts";
import { render, type TemplateOptions } from "../telegram/templates.ts";

export interface ConsoleNotifierConfig {
  /** TIMEZONE for the times in messages, default Asia/Ho_Chi_Minh. */
  readonly timeZone?: string;
  /** The models the bot runs (default `DEFAULT_MODELS`): their labels in messages. */
  readonly models?: readonly Model[];
  /** Where the text goes; default standard output. */
  readonly write?: (text: string) => void;
}

const RULE = "─".repeat(48);

/** The plain text of a notification, exactly as the console prints it (without the separator). */
export const renderPlain = (n: Notification, options: TemplateOptions = {}): string =>
  n._tag === "Reply" ? htmlToPlain(n.text) : toPlain(render(n, options));

export const makeConsoleNotifier = (config: ConsoleNotifierConfig = {}): Notifier["Service"] => {
  const write = config.write ?? ((text: string) => void process.stdout.write(`${text}\n`));
  const options: TemplateOptions = config;
  return Notifier.of({
    deliver: (n) => Effect.sync(() => write(`${RULE}\n${renderPlain(n, options)}`)),
  });
};

export const ConsoleNotifier = {
  make: makeConsoleNotifier,
  layer: (config: ConsoleNotifierConfig = {}): Layer.Layer<Notifier> =>
    Layer.sync(Notifier, () => makeConsoleNotifier(config)),
};
