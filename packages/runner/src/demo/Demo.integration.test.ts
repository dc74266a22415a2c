/**
 * `bun run demo`, shortened to two market days: the first signal arrives with its chart, saved where the output
 * says; sizes and prices follow the real exchange filters on a 1,000 USDT account; every line is Vietnamese.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBotApiClient } from "@signalbot/adapters/telegram";
import { type FakeBotApi, foreignWords, startFakeBotApi } from "@signalbot/adapters/testing";
import { type DemoReport, runDemo } from "./Demo.ts";

let dir: string;
let report: DemoReport;
const lines: string[] = [];
/** Stands in for the owner's real chat (`--telegram`). */
let owner: FakeBotApi;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "signalbot-demo-test-"));
  owner = startFakeBotApi();
  report = await runDemo({
    days: 2,
    outDir: join(dir, "demo-output"),
    write: (l) => lines.push(l),
    forward: {
      client: makeBotApiClient({ token: owner.token, apiRoot: owner.apiRoot }),
      chatId: "31337",
      intervalMs: 0,
    },
  });
}, 120_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await owner.stop();
});

test("the first signal comes with a chart, saved under the output folder, and its path is printed", () => {
  expect(report.exitCode).toBe(0);
  expect(report.emitted).toBeGreaterThanOrEqual(1);
  expect(report.charts.length).toBe(report.emitted);
  for (const file of report.charts) {
    expect(file.startsWith(join(dir, "demo-output"))).toBe(true);
    expect([...readFileSync(file).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(lines.some((l) => l.includes("Biểu đồ đã lưu") && l.includes(file))).toBe(true);
  }
  const page = readFileSync(report.transcript, "utf8");
  expect(existsSync(report.transcript)).toBe(true);
  for (const file of report.charts) expect(page).toContain(`src="${file.split("/").at(-1)}"`);
});

test("a 1,000 USDT account sized with the real lot steps: 1% risk at most, quantities on the step", () => {
  const btc = lines.slice(lines.findIndex((l) => l.includes("MUA / LONG BTCUSDT")));
  const quantity = btc.find((l) => l.includes("Số lượng gợi ý"))!;
  expect(quantity).toMatch(/Số lượng gợi ý: 0\.\d{3} BTC \(/); // BTCUSDT's lot step is 0.001
  const risk = btc.find((l) => l.includes("Rủi ro:"))!;
  const amount = Number(/Rủi ro: ([\d.]+) USDT/.exec(risk)![1]);
  expect(amount).toBeLessThanOrEqual(10);
  expect(amount).toBeGreaterThan(5);
  const entry = btc.find((l) => l.includes("Giá vào:"))!;
  expect(entry).toMatch(/Giá vào: [\d,]+\.\d$/); // tick 0.10: one decimal
});

test("the owner's commands are answered, the menu is registered, and the stop is announced in Vietnamese", () => {
  expect(report.telegram.get("setMyCommands")).toBe(1);
  expect(lines.some((l) => l.includes("💰 Lãi/lỗ từ đầu"))).toBe(true);
  expect(lines.some((l) => l.includes("🏆 Kết quả theo mô hình và theo mã"))).toBe(true);
  expect(lines.some((l) => l.includes("🛑 Bot đang dừng theo yêu cầu."))).toBe(true);
});

test("every line the demo prints is Vietnamese (paths, commands and the product name aside)", () => {
  const prose = lines.map((l) =>
    l
      .replace(/\S*\/\S*/g, " ") // file paths, 127.0.0.1
      .replace(/bun run [\w-]+/g, " ")
      .replace(/--[a-z]+/g, " ") // command-line options
      .replace(/\bsignalbot\b/g, " "),
  );
  expect(foreignWords(prose.join("\n"))).toEqual([]);
});

test("--telegram: the owner's own chat gets every message and chart, framed as a replay of old candles", () => {
  const got = owner.delivered();
  expect(got.every((r) => r.params.chat_id === "31337")).toBe(true);
  const texts = got.map((r) => String(r.params.text ?? r.params.caption ?? ""));
  expect(texts[0]).toContain("🧪 <b>Chạy thử</b>");
  expect(texts.at(-1)).toContain("Hết phần chạy thử");
  const photos = got.filter((r) => r.method === "sendPhoto");
  expect(photos).toHaveLength(report.charts.length);
  expect(photos.map((p) => [...Object.values(p.files)[0]!.bytes]).map((b) => b.length)).toEqual(
    report.charts.map((f) => readFileSync(f).length),
  );
  const sentInDemo = (report.telegram.get("sendMessage") ?? 0) + (report.telegram.get("sendPhoto") ?? 0);
  expect(got.length).toBe(sentInDemo + 2);
  expect(lines.some((l) => l.includes(`Đã gửi ${got.length} tin nhắn tới Telegram của bạn`))).toBe(true);
});
