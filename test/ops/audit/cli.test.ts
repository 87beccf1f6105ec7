/**
 * `tokenwarden audit` as a user runs it: formats, exit codes, errors on one line with exit 2 and
 * nothing half-written, and no secret from the logs in any output.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../../support/run-cli";
import type { AuditReport } from "../../../ops/audit/report-types";
import { END, FIXTURE_MANIFEST, generate, type Generated } from "./helpers";

let g: Generated;
beforeAll(() => {
  g = generate({ requests: 1500, rotate: 2, gzip: true, problems: true });
});
afterAll(() => g.cleanup());

const audit = (...extra: string[]) =>
  runMain(["audit", ...g.files, "--manifest", FIXTURE_MANIFEST, "--now", END, ...extra], g.dir);

describe("tokenwarden audit", () => {
  it("prints the findings as text and exits 1", async () => {
    const r = await audit();
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^Audit review of 4 file\(s\) from 2 device\(s\)/);
    expect(r.out).toContain("TW075 legacy-export");
    expect(r.out).toContain("TW074 deny");
    expect(r.out).toContain("TW076 web-session-keys");
    expect(r.out).toMatch(/line\(s\) skipped:\n/);
    expect(r.out).toMatch(/audit\.log:\d+: file ends mid-line \(truncated\)/);
    expect(r.out).toContain(
      "accessors: device file-raw/audit.log: accessors logged raw (hmac_accessor=false): used as they are",
    );
    expect(r.out).toMatch(
      /accessors: \d+ token\(s\) logged HMAC'd by one device and raw by another were matched/,
    );
  });

  it("gives the whole report as JSON", async () => {
    const r = await audit("--format", "json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as AuditReport;
    expect(report.stats.requests).toBe(g.truth.requests);
    expect(report.unused).toEqual(["legacy-export"]);
    expect(report.window).toEqual({ since: "2026-11-01T00:00:00.000Z", until: END, days: 30 });
    expect(report.problems.count).toBe(g.truth.malformed);
  });

  it("exits 0 when every grant was used and nothing odd happened", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-audit-clean-"));
    const clean = generate({
      devices: [{ name: "file", hmacAccessor: false }],
      unused: [],
      anomalies: false,
      requests: 400,
      endMs: Date.parse("2026-11-10T00:00:00Z"),
      days: 5,
    });
    try {
      const r = await runMain(
        [
          ...["audit", ...clean.files, "--manifest", FIXTURE_MANIFEST],
          ...["--now", "2026-11-10T00:00:00Z", "--since", "5d"],
        ],
        dir,
      );
      expect(r.err).toBe("");
      expect(r.out).toMatch(
        /\n0 anomalies, 0 unused grant\(s\), \d+ narrower polic(y|ies) proposed — clean\n$/,
      );
      expect(r.code).toBe(0);
    } finally {
      clean.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes --out whole (text summary on stdout), and never leaves a partial file", async () => {
    const out = join(g.dir, "report.html");
    const r = await audit("--format", "html", "--out", out);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /report\.html: \d+ anomalies, 1 unused grant\(s\), 2 narrower policies proposed\n$/,
    );
    expect(readFileSync(out, "utf8")).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
    const bad = await audit("--out", join(g.dir, "no-such-dir", "r.txt"));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^tokenwarden audit: --out .*r\.txt: cannot write \(ENOENT\)\n$/);
    expect(readdirSync(g.dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("refuses bad usage and bad input on one line with exit 2, printing nothing on stdout", async () => {
    const cases: [string[], RegExp][] = [
      [["audit", "--manifest", FIXTURE_MANIFEST], /give at least one audit log file/],
      [["audit", g.files[0]], /--manifest <access-needs\.yaml> is required/],
      [
        ["audit", join(g.dir, "nope.log"), "--manifest", FIXTURE_MANIFEST],
        /nope\.log: no such file/,
      ],
      [["audit", g.dir, "--manifest", FIXTURE_MANIFEST], /: not a file/],
      [
        ["audit", g.files[0], "--manifest", FIXTURE_MANIFEST, "--since", "a month"],
        /--since: "a month" is not a duration/,
      ],
      [
        ["audit", g.files[0], "--manifest", FIXTURE_MANIFEST, "--format", "pdf"],
        /--format must be one of text, json, html/,
      ],
      [
        ["audit", g.files[0], "--manifest", FIXTURE_MANIFEST, "--now", "yesterday"],
        /--now must be an RFC 3339 time/,
      ],
      [
        ["audit", g.files[0], "--manifest", FIXTURE_MANIFEST, "--device", "file"],
        /--device takes <vault-audit-path>=<log file>/,
      ],
      [
        ["audit", g.files[0], "--manifest", FIXTURE_MANIFEST, "--device", "file=other.log"],
        /other\.log is not one of the log files given/,
      ],
      [["audit", g.files[0], "--manifest", FIXTURE_MANIFEST, "--bogus"], /unknown flag --bogus/],
    ];
    for (const [argv, msg] of cases) {
      const r = await runMain(argv, g.dir);
      expect([argv.join(" "), r.code]).toEqual([argv.join(" "), 2]);
      expect(r.out).toBe("");
      expect(r.err.split("\n")[0]).toMatch(/^tokenwarden audit: /);
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it("names the manifest file, field and line when the manifest is wrong", async () => {
    const bad = join(g.dir, "bad.yaml");
    writeFileSync(
      bad,
      readFileSync(FIXTURE_MANIFEST, "utf8").replace("access: write", "access: wrte"),
    );
    const r = await runMain(["audit", g.files[0], "--manifest", bad], g.dir);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^tokenwarden audit: .*bad\.yaml:\d+:\d+: needs\[2\]\.access: /);
  });

  it("--help shows the usage", async () => {
    const r = await runMain(["audit", "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: tokenwarden audit <audit\.log\[\.gz\]>… --manifest/);
  });
});

describe("secrets in audit logs", () => {
  it("never appear in any output, even from a device with log_raw=true", async () => {
    const canary = "sk_live_CANARY0123456789abcdef";
    const raw = generate({
      devices: [
        { name: "file", hmacAccessor: true },
        { name: "raw", hmacAccessor: false, logRaw: true },
      ],
      secretValue: canary,
      requests: 600,
    });
    try {
      // The raw device really holds them: otherwise this test could not fail.
      const logged = readFileSync(raw.truth.files.raw[0], "utf8");
      expect(logged).toContain(canary);
      expect(logged).toContain(raw.truth.clientTokens[0]);
      for (const format of ["text", "json", "html"]) {
        const r = await runMain(
          ["audit", ...raw.files, "--manifest", FIXTURE_MANIFEST, "--now", END, "--format", format],
          raw.dir,
        );
        expect(r.code).toBe(1);
        const all = r.out + r.err;
        expect(all).not.toContain(canary);
        for (const t of raw.truth.clientTokens) expect(all).not.toContain(t);
        expect(all).not.toMatch(/hvs\.[A-Za-z0-9]{10}/);
      }
    } finally {
      raw.cleanup();
    }
  });
});

it("writes nothing when it fails before the report", async () => {
  const out = join(g.dir, "never.json");
  const r = await runMain(
    ["audit", join(g.dir, "missing.log"), "--manifest", FIXTURE_MANIFEST, "--out", out],
    g.dir,
  );
  expect(r.code).toBe(2);
  expect(existsSync(out)).toBe(false);
});
