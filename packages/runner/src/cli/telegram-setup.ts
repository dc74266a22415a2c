/**
 * `bun run telegram-setup [-- --token TOKEN] [--wait SECONDS] [--env FILE] [--print-only]`: connects the bot to
 * the owner's Telegram chat. Checks the token (from --token, TELEGRAM_BOT_TOKEN or typed in), waits for the
 * owner's "/start", answers in that chat with its id, and writes TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID into
 * `.env` (created from `.env.example` when missing, readable by the owner only). Talks to the owner in Vietnamese.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { makeBotApiClient } from "@signalbot/adapters/telegram";
import { Effect } from "effect";
import { setEnvValues } from "../setup/EnvFile.ts";
import { confirm, findChat, type SetupError } from "../setup/TelegramSetup.ts";
import { readEnvironment } from "./start.ts";

const USAGE =
  "cách dùng: bun run telegram-setup [-- --token TOKEN] [--wait SỐ_GIÂY] [--env TỆP] [--print-only]";
const out = (line = "") => void process.stdout.write(`${line}\n`);
const fail = (line: string) => void process.stderr.write(`✗ ${line}\n`);

const TROUBLE: Readonly<Record<SetupError["reason"], string>> = {
  badToken:
    "Telegram từ chối token. Lấy lại token ở @BotFather (/mybots → chọn bot → API Token) rồi chạy lại.",
  conflict:
    "Một chương trình khác đang đọc tin nhắn của bot này (bot đang chạy: bun run start hoặc dịch vụ systemd). Dừng nó trong lúc thiết lập rồi chạy lại.",
  noMessage:
    "Hết thời gian chờ mà chưa thấy tin nhắn nào. Gửi /start cho bot (trong nhóm: /start@tên_bot) rồi chạy lại, hoặc chờ lâu hơn với --wait.",
  unreachable:
    "Không kết nối được tới Telegram. Kiểm tra mạng (hoặc TELEGRAM_API_ROOT nếu dùng máy chủ trung gian).",
};

const readLine = async (prompt: string): Promise<string | undefined> => {
  process.stdout.write(prompt);
  for await (const line of console) return line.trim();
  return undefined;
};

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      token: { type: "string" },
      wait: { type: "string", default: "300" },
      env: { type: "string", default: ".env" },
      "print-only": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const wait = Number(values.wait);
  if (!Number.isInteger(wait) || wait < 1 || wait > 3600) {
    fail(`--wait phải là số giây từ 1 đến 3600, nhận được "${values.wait}"`);
    return 64;
  }
  const env = readEnvironment(process.env, values.env);
  out("Thiết lập Telegram cho bot tín hiệu");
  let token = values.token ?? env.TELEGRAM_BOT_TOKEN?.trim();
  if (token === undefined || token === "") {
    out("1. Tạo bot: trong Telegram nhắn @BotFather lệnh /newbot, đặt tên, nhận token dạng 123456789:AAE...");
    if (!process.stdin.isTTY) {
      fail("chưa có token: truyền --token TOKEN hoặc đặt TELEGRAM_BOT_TOKEN trong .env");
      return 64;
    }
    token = await readLine("   Dán token vào đây rồi nhấn Enter: ");
    if (token === undefined || !/^\d+:[\w-]{20,}$/.test(token)) {
      fail("token phải có dạng 123456789:AAE... (lấy ở @BotFather)");
      return 64;
    }
  }
  const client = makeBotApiClient({
    token,
    ...(env.TELEGRAM_API_ROOT ? { apiRoot: env.TELEGRAM_API_ROOT } : {}),
  });
  const result = await Effect.runPromise(
    Effect.gen(function* () {
      const found = yield* findChat(client, {
        waitSeconds: wait,
        onReady: (bot) => {
          out(`✓ Token hợp lệ: bot @${bot}`);
          out(`2. Mở https://t.me/${bot} và gửi /start`);
          out(`   (muốn nhận tín hiệu trong nhóm: thêm @${bot} vào nhóm rồi gửi /start@${bot} trong nhóm)`);
          out(`   Đang chờ tin nhắn, tối đa ${wait} giây...`);
        },
      });
      yield* confirm(client, found.chat);
      return found;
    }).pipe(Effect.result),
  );
  if (result._tag === "Failure") {
    fail(TROUBLE[result.failure.reason]);
    return 1;
  }
  const { chat } = result.success;
  const where = chat.type === "private" ? `riêng tư với ${chat.name}` : `nhóm “${chat.name}”`;
  out(`✓ Đã thấy cuộc trò chuyện ${where}: TELEGRAM_CHAT_ID=${chat.id}`);
  out("✓ Bot đã gửi lời chào vào cuộc trò chuyện đó.");
  if (values["print-only"]) {
    out(`Thêm vào .env: TELEGRAM_BOT_TOKEN=(token của bạn) và TELEGRAM_CHAT_ID=${chat.id}`);
  } else {
    const file = values.env;
    const base = existsSync(file)
      ? readFileSync(file, "utf8")
      : existsSync(".env.example")
        ? readFileSync(".env.example", "utf8")
        : "";
    writeFileSync(file, setEnvValues(base, { TELEGRAM_BOT_TOKEN: token, TELEGRAM_CHAT_ID: String(chat.id) }));
    chmodSync(file, 0o600); // it holds the token
    out(`✓ Đã ghi TELEGRAM_BOT_TOKEN và TELEGRAM_CHAT_ID vào ${file} (chỉ chủ máy đọc được)`);
  }
  if (chat.type !== "private")
    out("  Trong nhóm, mọi thành viên đều gửi lệnh được; giới hạn người dùng bằng TELEGRAM_ADMIN_IDS.");
  out("Xong. Chạy bun run start: tín hiệu sẽ đến cuộc trò chuyện này.");
  return 0;
};

process.exit(
  await main().catch((e: unknown) => {
    fail(`thiết lập thất bại: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }),
);
