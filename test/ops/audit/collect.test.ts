/**
 * Reading audit logs as they are found on disk: rotated and gzipped files, several devices, the
 * same file twice, a log cut mid-line, a gzip file cut short, lines that are not audit entries.
 * Every problem is reported with file:line and counted; none stops the read.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { collect, groupDevices, logStem } from "../../../ops/audit/collect";
import type { ResponseEntry } from "../../../ops/audit/entry";
import { generate, type Generated } from "./helpers";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});
function gen(opts: Parameters<typeof generate>[0]): Generated {
  const g = generate(opts);
  cleanups.push(g.cleanup);
  return g;
}
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "tw-audit-c-"));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
async function read(files: string[]) {
  const responses: ResponseEntry[] = [];
  const stats = await collect(files, { onResponse: (e) => responses.push(e) });
  return { stats, responses };
}

const line = (o: object) => JSON.stringify(o);
function isUsableEntry(text: string): boolean {
  try {
    const v = JSON.parse(text);
    return (
      (v?.type === "request" || v?.type === "response") &&
      typeof v.time === "string" &&
      typeof v.request?.id === "string"
    );
  } catch {
    return false;
  }
}
const req = (id: string, time: string) =>
  line({
    time,
    type: "request",
    auth: { accessor: "acc1", policies: ["tw-a"] },
    request: { id, operation: "read", path: "secret/data/a" },
  });
const resp = (id: string, time: string) =>
  line({
    time,
    type: "response",
    auth: { accessor: "acc1", policies: ["tw-a"] },
    request: { id, operation: "read", path: "secret/data/a" },
    response: {},
  });

describe("rotated logs of one device", () => {
  it("are one chain, oldest first, whatever order they are given in", () => {
    const [d] = groupDevices([
      "/v/audit.log",
      "/v/audit.log.1",
      "/v/audit.log.3.gz",
      "/v/audit.log.2.gz",
    ]);
    expect(d.files).toEqual([
      "/v/audit.log.3.gz",
      "/v/audit.log.2.gz",
      "/v/audit.log.1",
      "/v/audit.log",
    ]);
    expect(logStem("/v/audit.log-20261101.gz")).toBe("audit.log");
    const dated = groupDevices([
      "/v/audit.log",
      "/v/audit.log-20261102.gz",
      "/v/audit.log-20261101.gz",
    ]);
    expect(dated[0].files).toEqual([
      "/v/audit.log-20261101.gz",
      "/v/audit.log-20261102.gz",
      "/v/audit.log",
    ]);
  });

  it("are read through gzip and in time order", async () => {
    const g = gen({
      devices: [{ name: "file", hmacAccessor: true }],
      rotate: 3,
      gzip: true,
      requests: 900,
    });
    expect(g.files.filter((f) => f.endsWith(".gz"))).toHaveLength(2);
    const { stats, responses } = await read([...g.files].reverse());
    // A denied request has no response line (as Vault writes it); its request line is the use.
    expect([stats.requests, stats.responses, stats.denials]).toEqual([
      g.truth.requests,
      g.truth.requests - g.truth.denied,
      g.truth.denied,
    ]);
    expect(responses).toHaveLength(g.truth.requests);
    expect(stats.problemCount).toBe(0);
    for (let i = 1; i < responses.length; i++)
      expect(responses[i].timeMs).toBeGreaterThanOrEqual(responses[i - 1].timeMs);
  });

  it("recognises gzip by content, not by name", async () => {
    const d = tmp();
    const f = join(d, "audit.log.1");
    writeFileSync(
      f,
      gzipSync(
        req("r1", "2026-11-01T00:00:00Z") + "\n" + resp("r1", "2026-11-01T00:00:01Z") + "\n",
      ),
    );
    const { stats } = await read([f]);
    expect([stats.requests, stats.responses, stats.problemCount]).toEqual([1, 1, 0]);
  });
});

describe("several devices", () => {
  it("count each request once; requests only one device logged still count", async () => {
    const g = gen({ requests: 1200 });
    const both = await read(g.files);
    expect(both.stats.requests).toBe(g.truth.requests);
    expect(both.stats.responses).toBe(g.truth.requests - g.truth.denied);
    expect(both.responses).toHaveLength(g.truth.requests);
    expect(
      both.stats.devices.map((d) => [d.name, d.hashedAccessors > 0, d.rawAccessors > 0]),
    ).toEqual([
      ["file/audit.log", true, false],
      ["file-raw/audit.log", false, true],
    ]);
    // The raw device missed about 1 in 100 entries: alone it has fewer.
    const rawOnly = await read(g.truth.files["file-raw"]);
    expect(rawOnly.stats.responses).toBeLessThan(g.truth.requests);
    expect(both.stats.duplicates).toBe(rawOnly.stats.requests + rawOnly.stats.responses);
  });

  it("read the same file given twice once, and a copy in another directory without double counting", async () => {
    const g = gen({ devices: [{ name: "file", hmacAccessor: true }], requests: 300 });
    const f = g.files[0];
    const copyDir = tmp();
    mkdirSync(join(copyDir, "backup"));
    const copy = join(copyDir, "backup", "audit.log");
    copyFileSync(f, copy);
    const { stats } = await read([f, f, copy]);
    expect(stats.devices).toHaveLength(2);
    expect(stats.requests).toBe(300);
    expect(stats.responses).toBe(300 - g.truth.denied);
    expect(stats.duplicates).toBe(600 - g.truth.denied);
  });
});

describe("damaged logs", () => {
  it("report each malformed line with file:line and kind, count them, and keep going", async () => {
    const g = gen({
      devices: [{ name: "file", hmacAccessor: true }],
      requests: 1000,
      problems: true,
    });
    const f = g.files[0];
    const { stats } = await read([f]);
    expect(stats.requests).toBe(1000);
    expect(stats.responses).toBe(1000 - g.truth.denied);
    expect(stats.problemCount).toBe(g.truth.malformed);
    const lines = readFileSync(f, "utf8").split("\n");
    // Each reported line really is a bad one.
    for (const p of stats.problems) {
      expect(p.file).toBe(f);
      expect(isUsableEntry(lines[p.line - 1])).toBe(false);
    }
    expect(lines.filter((l) => l !== "" && !isUsableEntry(l))).toHaveLength(stats.problemCount);
    const last = stats.problems.at(-1);
    expect(last).toEqual({
      file: f,
      line: lines.length,
      problem: "file ends mid-line (truncated)",
    });
    expect(Object.values(stats.problemKinds).reduce((a, b) => a + b, 0)).toBe(stats.problemCount);
  });

  it("report a gzip file cut short, keeping the lines before the cut", async () => {
    const g = gen({
      devices: [{ name: "file", hmacAccessor: true }],
      rotate: 2,
      gzip: true,
      requests: 2000,
    });
    const gz = g.files[0];
    const full = gunzipSync(readFileSync(gz)).toString("utf8").split("\n").filter(Boolean).length;
    truncateSync(gz, Math.floor(statSync(gz).size / 2));
    const { stats } = await read([gz, g.files[1]]);
    const fault = stats.problems.find((p) => p.file === gz);
    expect(fault?.problem).toMatch(/gzip stream ends early or is corrupt/);
    expect(fault?.line).toBeGreaterThan(1);
    expect(stats.lines).toBeGreaterThan(0);
    expect(stats.lines).toBeLessThan(full + readFileSync(g.files[1], "utf8").split("\n").length);
    // The live file after it is still read in full.
    expect(stats.responses).toBeGreaterThan(500);
  });

  it("report an unreadable or empty file and read the rest", async () => {
    const d = tmp();
    const empty = join(d, "empty.log");
    writeFileSync(empty, "");
    const good = join(d, "audit.log");
    writeFileSync(
      good,
      req("r1", "2026-11-01T00:00:00Z") + "\n" + resp("r1", "2026-11-01T00:00:01Z") + "\n",
    );
    const missing = join(d, "gone.log");
    const { stats } = await read([empty, missing, good]);
    expect(stats.responses).toBe(1);
    expect(stats.problems).toEqual([{ file: missing, line: 0, problem: "no such file" }]);
  });

  it("take a refused request from its request line, once, with or without a response line", async () => {
    const d = tmp();
    const denied = (type: string, id: string, time: string) =>
      line({
        time,
        type,
        auth: { accessor: "acc1", policies: ["tw-a"], metadata: { need: "a" } },
        request: { id, operation: "read", path: "secret/data/other" },
        error: "permission denied",
      });
    mkdirSync(join(d, "a"));
    mkdirSync(join(d, "b"));
    // Device a: as Vault writes it (request line only); device b: also a response line.
    const a = join(d, "a", "audit.log");
    const b = join(d, "b", "audit.log");
    writeFileSync(a, denied("request", "x", "2026-11-01T00:00:00Z") + "\n");
    writeFileSync(
      b,
      denied("request", "x", "2026-11-01T00:00:00Z") +
        "\n" +
        denied("response", "x", "2026-11-01T00:00:00.1Z") +
        "\n",
    );
    const { stats, responses } = await read([a, b]);
    expect(responses.map((e) => [e.id, e.denied, e.path])).toEqual([
      ["x", true, "secret/data/other"],
    ]);
    expect([
      stats.requests,
      stats.denials,
      stats.requestsWithoutResponse,
      stats.responsesWithoutRequest,
    ]).toEqual([1, 1, 0, 0]);
  });

  it("pair requests with responses and count those left alone", async () => {
    const d = tmp();
    const f = join(d, "audit.log");
    writeFileSync(
      f,
      [
        req("a", "2026-11-01T00:00:00Z"),
        resp("a", "2026-11-01T00:00:00.5Z"),
        req("b", "2026-11-01T00:00:01Z"), // never answered
        resp("c", "2026-11-01T00:00:02Z"), // its request is before this log
        "",
        "not json at all",
        '{"time":"2026-11-01T00:00:03Z","type":"response","request":{}}',
      ].join("\n") + "\n",
    );
    const { stats } = await read([f]);
    expect([
      stats.requests,
      stats.responses,
      stats.requestsWithoutResponse,
      stats.responsesWithoutRequest,
    ]).toEqual([2, 2, 1, 1]);
    expect(stats.problems).toEqual([
      { file: f, line: 5, problem: "empty line" },
      { file: f, line: 6, problem: "not valid JSON" },
      { file: f, line: 7, problem: "no `request.id`" },
    ]);
  });
});

describe("progress", () => {
  it("is reported as lines are read, when asked for", async () => {
    const g = gen({ devices: [{ name: "file", hmacAccessor: true }], requests: 2000 });
    const seen: number[] = [];
    const stats = await collect(g.files, {
      onResponse: () => undefined,
      onProgress: (n) => seen.push(n),
      progressEvery: 1000,
    });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBeLessThanOrEqual(stats.lines);
  });
});
