/** `tokenwarden validate`: exit codes, one issue per line, JSON output, no stack traces. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runMain, type RunResult } from "../support/run-cli";
import { BASE, EXAMPLE, tempDir } from "./helpers";

const validate = (...argv: string[]): Promise<RunResult> => runMain(["validate", ...argv]);

function write(name: string, text: string): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

describe("tokenwarden validate", () => {
  it("exits 0 with a one-line summary for a valid manifest", async () => {
    const r = await validate(EXAMPLE);
    expect(r).toEqual({
      code: 0,
      out: `${EXAMPLE}: valid — 8 needs, 4 consumers, 4 providers\n`,
      err: "",
    });
  });

  it("exits 2 with every issue on its own line, then a count", async () => {
    const file = write(
      "bad.yaml",
      BASE.replace("ttl: 1h", "ttl: 1x").replace("consumer: app", "consumer: api"),
    );
    const r = await validate(file);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.split("\n")).toEqual([
      `${file}:14:5: needs[0].consumer: unknown consumer "api" — did you mean "app"?`,
      `${file}:20:5: needs[0].ttl: "1x" is not a duration (use s, m, h, d — e.g. 1h30m)`,
      `${file}: 2 issues`,
      "",
    ]);
  });

  it("--format json: {valid, issues} on stdout either way", async () => {
    const ok = await validate(EXAMPLE, "--format", "json");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toEqual({
      valid: true,
      file: EXAMPLE,
      consumers: 4,
      providers: 4,
      needs: 8,
      issues: [],
    });
    const file = write("bad.yaml", BASE.replace("ttl: 1h", "ttl: 1x"));
    const bad = await validate(file, "--format=json");
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.out)).toEqual({
      valid: false,
      file,
      issues: [
        {
          file,
          line: 20,
          column: 5,
          field: "needs[0].ttl",
          message: '"1x" is not a duration (use s, m, h, d — e.g. 1h30m)',
        },
      ],
    });
  });

  it("unreadable input: one line, exit 2, no stack trace", async () => {
    for (const [name, bytes] of [
      ["empty.yaml", Buffer.alloc(0)],
      ["garbage.yaml", Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01])],
      ["broken.json", Buffer.from('{"version": 1,')],
    ] as const) {
      const r = await validate(write(name, bytes.toString("latin1")));
      expect(r.code, name).toBe(2);
      const lines = r.err.trimEnd().split("\n");
      expect(lines, name).toHaveLength(2);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it("usage errors exit 2 with the usage line", async () => {
    const none = await validate();
    expect(none.code).toBe(2);
    expect(none.err).toContain("give the manifest to validate");
    expect(none.err).toContain("Usage: tokenwarden validate");
    const fmt = await validate(EXAMPLE, "--format", "xml");
    expect(fmt.code).toBe(2);
    expect(fmt.err).toContain('--format must be one of text, json; got "xml"');
  });
});
