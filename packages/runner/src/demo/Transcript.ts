/**
 * The demo's record of what reached "Telegram", as a page that looks like the chat: each message a bubble in
 * Telegram's HTML (our templates use only <b>, <i>, <code> and escaped text), photos inline with their caption.
 * Written next to the charts (`demo-output/telegram.html`) so a newcomer sees what the bot would send.
 */
import { escapeHtml } from "@signalbot/adapters/telegram";

export interface TranscriptEntry {
  /** When it arrived, already formatted in the owner's zone. */
  readonly at: string;
  /** Telegram HTML of the text or the photo caption. */
  readonly html: string;
  /** File name of the chart, beside the page, for a photo. */
  readonly photo?: string;
  /** A command the owner typed (shown on the right, as the owner's own bubble). */
  readonly fromOwner?: boolean;
}

const STYLE = `
body { margin: 0; background: #0e1621; font: 15px/1.38 -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #f5f5f5; }
header { position: sticky; top: 0; background: #17212b; padding: 10px 18px; border-bottom: 1px solid #0b1118; }
header b { display: block; } header span { color: #6c7883; font-size: 13px; }
main { max-width: 720px; margin: 0 auto; padding: 14px 12px 40px; display: flex; flex-direction: column; gap: 8px; }
.msg { max-width: 560px; background: #182533; border-radius: 12px 12px 12px 4px; overflow: hidden; align-self: flex-start; }
.msg.owner { align-self: flex-end; background: #2b5278; border-radius: 12px 12px 4px 12px; }
.msg img { display: block; width: 100%; }
.text { padding: 7px 11px 4px; white-space: pre-wrap; word-wrap: break-word; }
.text code { font-family: "DejaVu Sans Mono", monospace; font-size: 14px; color: #e6c07b; }
.time { float: right; margin: 6px 0 0 12px; color: #6c7883; font-size: 12px; }
`;

export const transcriptHtml = (
  title: string,
  subtitle: string,
  entries: readonly TranscriptEntry[],
): string => {
  const bubbles = entries.map((e) => {
    const photo = e.photo === undefined ? "" : `<img src="${escapeHtml(e.photo)}" alt="biểu đồ">`;
    return `<div class="msg${e.fromOwner === true ? " owner" : ""}">${photo}<div class="text">${e.html}<span class="time">${escapeHtml(e.at)}</span></div></div>`;
  });
  return [
    "<!doctype html>",
    '<html lang="vi"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<style>${STYLE}</style></head><body>`,
    `<header><b>${escapeHtml(title)}</b><span>${escapeHtml(subtitle)}</span></header>`,
    "<main>",
    ...bubbles,
    "</main></body></html>",
    "",
  ].join("\n");
};
