/** Telegram: the Bot API client (grammY), the notifier, the Vietnamese templates and the owner commands. */
export * from "./BotApiClient.ts";
export * from "./CommandMenu.ts";
export * from "./Commands.ts";
export * from "./Format.ts";
export * from "./Message.ts";
export * from "./Reports.ts";
export * from "./TelegramNotifier.ts";
export * from "./templates.ts";
