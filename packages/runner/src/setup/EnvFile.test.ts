import { expect, test } from "bun:test";
import { parseDotEnv } from "../Config.ts";
import { setEnvValues } from "./EnvFile.ts";

test("replaces a variable in place and keeps every other line as written", () => {
  const before = "# Telegram\nTELEGRAM_BOT_TOKEN=\nTELEGRAM_CHAT_ID=\n\n# mine\nSCORE_THRESHOLD=80\n";
  const after = setEnvValues(before, { TELEGRAM_BOT_TOKEN: "1:abc", TELEGRAM_CHAT_ID: "42" });
  expect(after).toBe(
    "# Telegram\nTELEGRAM_BOT_TOKEN=1:abc\nTELEGRAM_CHAT_ID=42\n\n# mine\nSCORE_THRESHOLD=80\n",
  );
  expect(parseDotEnv(after)).toMatchObject({ TELEGRAM_CHAT_ID: "42", SCORE_THRESHOLD: "80" });
});

test("a commented-out example line is replaced; a missing variable is appended; an empty file gets both", () => {
  expect(setEnvValues("# TELEGRAM_CHAT_ID=123\nA=1", { TELEGRAM_CHAT_ID: "7", B: "2" })).toBe(
    "TELEGRAM_CHAT_ID=7\nA=1\nB=2\n",
  );
  expect(setEnvValues("", { X: "1" })).toBe("X=1\n");
  expect(setEnvValues("export X=old\n", { X: "new" })).toBe("X=new\n");
});
