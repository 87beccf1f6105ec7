/**
 * One audit line → entry: the prefix reading of request lines agrees with a full parse, Vault's
 * ways of saying "permission denied" are all recognised, and ACL path patterns match as Vault's do.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryFromObject, parseEntry } from "../../../ops/audit/entry";
import { bestMatch, capabilityOf, compilePattern } from "../../../ops/audit/acl-path";
import { generate, type Generated } from "./helpers";

describe("request lines read by their prefix", () => {
  let g: Generated;
  beforeAll(() => {
    g = generate({ devices: [{ name: "file", hmacAccessor: true }], requests: 400 });
  });
  afterAll(() => g.cleanup());

  it("give what a full JSON.parse gives, for every generated line", () => {
    const lines = readFileSync(g.files[0], "utf8").split("\n").filter(Boolean);
    expect(lines.length).toBe(800 - g.truth.denied); // a denial has no response line
    for (const line of lines) expect(parseEntry(line)).toEqual(entryFromObject(JSON.parse(line)));
  });

  it("fall back to the full parse for another field order, escapes, or a damaged end", () => {
    const alpha =
      '{"auth":{},"request":{"id":"r1","path":"x"},"time":"2026-11-01T00:00:00Z","type":"request"}';
    expect(parseEntry(alpha)).toEqual({
      type: "request",
      id: "r1",
      timeMs: Date.parse("2026-11-01T00:00:00Z"),
    });
    const escaped =
      '{"time":"2026-11-01T00:00:00Z","type":"request","auth":{},"request":{"id":"a\\"b"}}';
    expect(parseEntry(escaped)).toEqual({
      type: "request",
      id: 'a"b',
      timeMs: Date.parse("2026-11-01T00:00:00Z"),
    });
    const cut =
      '{"time":"2026-11-01T00:00:00Z","type":"request","auth":{},"request":{"id":"r1","pa';
    expect(parseEntry(cut)).toEqual({ problem: "not valid JSON" });
    // A metadata value that looks like the pattern is escaped inside its string: not taken.
    const tricky =
      '{"time":"2026-11-01T00:00:00Z","type":"request","auth":{"metadata":{"k":"\\"request\\":{\\"id\\":\\"fake"}},"request":{"id":"real"}}';
    expect(parseEntry(tricky)).toMatchObject({ id: "real" });
  });
});

describe("response lines", () => {
  const base = {
    time: "2026-11-01T00:00:00Z",
    type: "response",
    auth: { accessor: "hmac-sha256:ab", policies: ["tw-a"], metadata: { need: "a", n: 1 } },
    request: { id: "r", operation: "read", path: "secret/data/a", remote_address: "10.0.0.1" },
  };
  it("recognise a denial however Vault says it", () => {
    expect(entryFromObject({ ...base, error: "permission denied" })).toMatchObject({
      denied: true,
      failed: false,
    });
    expect(
      entryFromObject({ ...base, error: "1 error occurred:\n\t* permission denied\n\n" }),
    ).toMatchObject({ denied: true });
    expect(
      entryFromObject({ ...base, auth: { ...base.auth, policy_results: { allowed: false } } }),
    ).toMatchObject({ denied: true });
    expect(
      entryFromObject({ ...base, response: { data: { http_status_code: 403 } } }),
    ).toMatchObject({ denied: true });
    expect(entryFromObject({ ...base, error: "invalid request" })).toMatchObject({
      denied: false,
      failed: true,
    });
    expect(entryFromObject(base)).toMatchObject({
      denied: false,
      failed: false,
      metadata: { need: "a" },
    });
  });
  it("keep no client token and no request or response data", () => {
    const e = entryFromObject({
      ...base,
      auth: { ...base.auth, client_token: "hvs.SECRET" },
      request: { ...base.request, client_token: "hvs.SECRET", data: { value: "s3cr3t" } },
      response: { data: { token: "s3cr3t" } },
    });
    expect(JSON.stringify(e)).not.toMatch(/SECRET|s3cr3t/);
  });
});

describe("ACL path patterns", () => {
  it("match exact, prefix glob and + segments, most specific first", () => {
    const pats = ["secret/data/*", "secret/data/web/+/key", "secret/data/web/a/key"].map(
      compilePattern,
    );
    expect(bestMatch(pats, "secret/data/web/a/key")).toBe(2);
    expect(bestMatch(pats, "secret/data/web/b/key")).toBe(1);
    expect(bestMatch(pats, "secret/data/web/b/c/key")).toBe(0);
    expect(bestMatch(pats, "secret/metadata/x")).toBe(-1);
    expect(compilePattern("secret/data/+").test("secret/data/a/b")).toBe(false);
    expect(compilePattern("secret/data/a.b").test("secret/data/aXb")).toBe(false);
  });
  it("map operations to capabilities", () => {
    expect(
      ["read", "list", "update", "create", "delete", "patch", "help", "renew"].map(capabilityOf),
    ).toEqual(["read", "list", "update", "create", "delete", "patch", undefined, undefined]);
  });
});
