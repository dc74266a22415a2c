import { describe, expect, test } from "bun:test";
import { COOKIE, checkAccess, PAGE_CSP, refusal, secured } from "./Access.ts";

const TOKEN = "correct-horse-battery-staple";
const get = (path: string, headers: Record<string, string> = {}, method = "GET") => {
  const url = new URL(`http://127.0.0.1:8787${path}`);
  return { request: new Request(url.href, { method, headers: { host: "127.0.0.1:8787", ...headers } }), url };
};
const check = (path: string, headers: Record<string, string> = {}, token?: string, method = "GET") => {
  const { request, url } = get(path, headers, method);
  return checkAccess(request, url, token);
};

describe("without a token (loopback only)", () => {
  test("pages answer requests naming this machine, whatever the port the tunnel uses", () => {
    for (const host of ["127.0.0.1:8787", "localhost:9000", "[::1]:8787", "LOCALHOST"])
      expect(check("/", { host })._tag).toBe("Allowed");
  });

  test("a page reached through another host name (DNS rebinding) is refused", () => {
    expect(check("/", { host: "attacker.example:8787" })).toEqual({
      _tag: "Refused",
      status: 403,
      why: "host",
    });
    expect(check("/healthz", { host: "192.168.1.5:8787" })._tag).toBe("Refused");
  });

  test("only GET and HEAD: the dashboard is read-only", () => {
    expect(check("/", {}, undefined, "POST")).toMatchObject({ status: 405 });
    expect(check("/", {}, undefined, "DELETE")).toMatchObject({ status: 405 });
    expect(check("/", {}, undefined, "HEAD")._tag).toBe("Allowed");
  });
});

describe("with a token", () => {
  test("no token, a wrong one or a wrong cookie: 401, with no hint of the token", async () => {
    for (const headers of [{}, { authorization: "Bearer nope" }, { cookie: `${COOKIE}=${TOKEN}` }]) {
      const a = check("/", headers, TOKEN);
      expect(a).toEqual({ _tag: "Refused", status: 401, why: "token" });
      if (a._tag !== "Refused") continue;
      const r = refusal(a);
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toBe('Bearer realm="signalbot"');
      expect(await r.text()).not.toContain(TOKEN);
    }
    expect(check("/?token=wrong", {}, TOKEN)._tag).toBe("Refused");
  });

  test("Authorization: Bearer works for any path, and the Host header no longer matters", () => {
    expect(check("/metrics", { authorization: `Bearer ${TOKEN}`, host: "bot.example.com" }, TOKEN)._tag).toBe(
      "Allowed",
    );
  });

  test("?token= once: a redirect drops it from the address and leaves an HttpOnly cookie that then suffices", () => {
    const a = check(`/?lang=en&token=${TOKEN}`, {}, TOKEN);
    expect(a._tag).toBe("Redirect");
    if (a._tag !== "Redirect") return;
    expect(a.location).toBe("/?lang=en");
    expect(a.cookie).toContain("HttpOnly");
    expect(a.cookie).toContain("SameSite=Strict");
    expect(a.cookie).not.toContain(TOKEN);
    const value = a.cookie.split(";")[0]!;
    expect(check("/api/view", { cookie: `other=1; ${value}` }, TOKEN)._tag).toBe("Allowed");
  });
});

test("every answer carries the security headers; the page CSP allows no inline code and no framing", () => {
  const r = secured(new Response("x"));
  expect(r.headers.get("content-security-policy")).toBe(PAGE_CSP);
  expect(PAGE_CSP).toContain("script-src 'self'");
  expect(PAGE_CSP).toContain("frame-ancestors 'none'");
  expect(PAGE_CSP).not.toContain("unsafe");
  expect(r.headers.get("x-content-type-options")).toBe("nosniff");
  expect(r.headers.get("referrer-policy")).toBe("no-referrer");
  const own = secured(new Response("x", { headers: { "content-security-policy": "default-src 'none'" } }));
  expect(own.headers.get("content-security-policy")).toBe("default-src 'none'");
});
