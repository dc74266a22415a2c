/**
 * The "/" menu Telegram shows in the owner's chat, made from the same list `/help` prints (Commands.ts `HELP`)
 * and registered with `setMyCommands` when the bot starts. A failure costs only the menu: it is logged.
 * @see https://core.telegram.org/bots/api#setmycommands
 */
import { Effect } from "effect";
import type { BotApiClient } from "./BotApiClient.ts";
import { HELP } from "./Commands.ts";

export interface MenuEntry {
  /** Without the slash: "signals". */
  readonly command: string;
  /** Arguments first, then what it does: "[n] — n tín hiệu gần nhất ...". */
  readonly description: string;
}

export const commandMenu = (): readonly MenuEntry[] =>
  HELP.map(([usage, what]) => {
    const [name = "", ...args] = usage.split(" ");
    return { command: name.slice(1), description: args.length > 0 ? `${args.join(" ")} — ${what}` : what };
  });

/** Registers the menu; never fails (a refusal is a warning: commands still work when typed). */
export const registerCommandMenu = (client: BotApiClient): Effect.Effect<void> => {
  const menu = commandMenu();
  return client.setMyCommands(menu).pipe(
    Effect.andThen(Effect.logInfo(`telegram: "/" menu set with ${menu.length} commands`)),
    Effect.catch((e) =>
      Effect.logWarning(`telegram: setMyCommands failed, the "/" menu is left as it was: ${e.message}`),
    ),
  );
};
