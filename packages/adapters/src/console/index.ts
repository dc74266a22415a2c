/** The console notifier: Telegram's messages as plain text on standard output. */
export * from "./ConsoleNotifier.ts";
