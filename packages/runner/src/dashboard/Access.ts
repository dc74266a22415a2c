/**
 * Who may read the bot's HTTP pages, and the headers every answer carries. Without DASHBOARD_TOKEN (only
 * allowed on a loopback address) a request must name this machine in its Host header (127.0.0.1, localhost,
 * ::1): a web page elsewhere cannot reach the dashboard by DNS rebinding. With a token every request needs it:
 * `Authorization: Bearer <token>`, or the cookie set after one visit to `/?token=<token>` (which redirects to
 * the same page without the token in the address). Only GET and HEAD exist: nothing here changes the bot.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isLoopbackHost } from "../Config.ts";
import { type Lang, WORDS } from "./Dictionary.ts";
import { html } from "./Html.ts";

export const COOKIE = "signalbot_dashboard";

/** Scripts and styles only from this server, no inline code, no frames, no forms, no other origin. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
};

/** The default CSP and the security headers on `response` (a CSP it already has is kept). */
export const secured = (response: Response): Response => {
  const headers = response.headers;
  if (!headers.has("content-security-policy")) headers.set("content-security-policy", PAGE_CSP);
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) headers.set(k, v);
  return response;
};

const digest = (s: string): Buffer => createHash("sha256").update(s).digest();
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));
/** The cookie holds a value derived from the token, never the token itself. */
const cookieValue = (token: string): string =>
  createHash("sha256").update(`dashboard:${token}`).digest("hex");

const cookieOf = (request: Request): string | undefined => {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === COOKIE) return v.join("=");
  }
  return undefined;
};

/** The Host header's name, without port or IPv6 brackets. */
const hostName = (request: Request): string => {
  const host = request.headers.get("host") ?? "";
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  return (m?.[1] ?? host.replace(/:\d+$/, "")).toLowerCase();
};

export type Access =
  | { readonly _tag: "Allowed" }
  | { readonly _tag: "Redirect"; readonly location: string; readonly cookie: string }
  | { readonly _tag: "Refused"; readonly status: 401 | 403 | 405; readonly why: "token" | "host" | "method" };

export const checkAccess = (request: Request, url: URL, token: string | undefined): Access => {
  if (request.method !== "GET" && request.method !== "HEAD")
    return { _tag: "Refused", status: 405, why: "method" };
  if (token === undefined)
    return isLoopbackHost(hostName(request))
      ? { _tag: "Allowed" }
      : { _tag: "Refused", status: 403, why: "host" };
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1]?.trim();
  if (bearer !== undefined && same(bearer, token)) return { _tag: "Allowed" };
  const cookie = cookieOf(request);
  if (cookie !== undefined && same(cookie, cookieValue(token))) return { _tag: "Allowed" };
  const query = url.searchParams.get("token");
  if (query !== null && same(query, token)) {
    const clean = new URL(url);
    clean.searchParams.delete("token");
    return {
      _tag: "Redirect",
      location: clean.pathname + clean.search,
      cookie: `${COOKIE}=${cookieValue(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000`,
    };
  }
  return { _tag: "Refused", status: 401, why: "token" };
};

/** The answer to a refused request: a short page in both languages (no detail about the token). */
export const refusal = (access: Extract<Access, { _tag: "Refused" }>): Response => {
  if (access.why === "method")
    return secured(
      new Response("method not allowed: the dashboard is read-only\n", {
        status: 405,
        headers: { allow: "GET, HEAD" },
      }),
    );
  const text = (lang: Lang) =>
    access.why === "token"
      ? html`<h1>${WORDS[lang].tokenNeeded}</h1><p>${WORDS[lang].tokenHelp}</p>`
      : html`<h1>${WORDS[lang].wrongHost}</h1><p>${WORDS[lang].wrongHostHelp}</p>`;
  const body = html`<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>signalbot</title></head><body>${text("vi")}<hr>${text("en")}</body></html>`;
  return secured(
    new Response(body.text, {
      status: access.status,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        ...(access.why === "token" ? { "www-authenticate": 'Bearer realm="signalbot"' } : {}),
      },
    }),
  );
};
