/**
 * `policy eval` reads and prints numbers as OPA does: JSON input keeps every digit of its numbers
 * (OPA decodes with json.Number) and results print big integers and long decimals exactly.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runMain } from "../support/run-cli";

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-numbers-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe("policy eval numbers", () => {
  it("keeps long decimals and big integers of JSON input exact", async () => {
    const input = tmpFile(
      "input.json",
      '{"a": 0.1234567890123456789, "b": 0.1234567890123456788, "c": 18446744073709551617, "d": 1e-400}',
    );
    const r = await runMain([
      "policy",
      "eval",
      "-i",
      input,
      "--format",
      "pretty",
      "[input.a > input.b, input.c + 1, input.d > 0, input.a]",
    ]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.replace(/\d{17,}|0\.\d{17,}/g, '"$&"'))).toEqual([
      true,
      "18446744073709551618",
      true,
      "0.1234567890123456789",
    ]);
  });

  it("keeps long decimals of -d data files exact", async () => {
    const data = tmpFile(
      "limits.json",
      '{"lo": 0.30000000000000000001, "hi": 0.30000000000000000002}',
    );
    const r = await runMain(["policy", "eval", "-d", data, "data.hi > data.lo"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).result[0].expressions[0].value).toBe(true);
  });

  it("prints big integers and exact decimals in --format json instead of failing", async () => {
    const r = await runMain([
      "policy",
      "eval",
      "x := [18446744073709551617, 0.10000000000000000001, 1 / 3, 1e-400]",
    ]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      '"x": [\n          18446744073709551617,\n          0.10000000000000000001,\n          0.33333333333333333334,\n          1e-400\n        ]',
    );
  });
});
