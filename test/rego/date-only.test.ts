/**
 * time.parse_ns with the date-only layout "2006-01-02" takes a shortcut past the general Go
 * layout parser (policies parse every need's `expires` with it). It must give what the general
 * parser gives for the same date: compared here with a layout the shortcut does not take
 * ("2006-01-02T15:04:05" on the same date at midnight), results and failures alike.
 */
import { describe, expect, it } from "vitest";
import { BuiltinError } from "../../rego/builtins/types";
import { builtinsOf } from "../../rego/builtins";
import type { Value } from "../../rego/value";
import { builtinContext, callBuiltin } from "../support/builtin-harness";

const ALL = builtinsOf("time");

function outcome(layout: string, value: string): { ok: Value | undefined } | { error: string } {
  try {
    return { ok: callBuiltin(ALL, builtinContext(), "time.parse_ns", layout, value) };
  } catch (e) {
    if (e instanceof BuiltinError) return { error: e.message };
    throw e;
  }
}

const DATES = [
  "2020-02-02",
  "2026-11-30",
  "2024-02-29", // leap year
  "2000-02-29", // divisible by 400
  "1900-02-29", // not a leap year: out of range
  "2023-02-29",
  "2021-04-31",
  "2021-12-31",
  "2021-01-01",
  "0000-01-01",
  "9999-12-31",
  "1969-12-31",
  "2021-00-10",
  "2021-13-10",
  "2021-01-00",
  "2021-01-32",
  "2021-1-05",
  "2021-01-5x",
  "20210105",
  "2021/01/05",
  "2021-01-05 ",
  " 2021-01-05",
  "2021-01-0５", // a full-width digit
  "2021-0a-05",
  "abcd-01-05",
  "",
];

describe("time.parse_ns date-only shortcut", () => {
  it("agrees with the general layout parser on valid and invalid dates", () => {
    for (const d of DATES) {
      const fast = outcome("2006-01-02", d);
      const general = outcome("2006-01-02T15:04:05", d + "T00:00:00");
      if ("ok" in general) expect(fast, d).toEqual(general);
      else expect("error" in fast, d).toBe(true);
    }
  });

  it("keeps the general parser's messages for dates it does not take", () => {
    expect(outcome("2006-01-02", "2021-02-30")).toEqual({
      error: 'time.parse_ns: parsing time "2021-02-30": day out of range',
    });
    expect(outcome("2006-01-02", "2021-13-01")).toEqual({
      error: 'time.parse_ns: parsing time "2021-13-01": month out of range',
    });
  });

  it("gives Unix nanoseconds at midnight UTC", () => {
    expect(outcome("2006-01-02", "2020-02-02")).toEqual({ ok: 1580601600000000000n });
    expect(outcome("2006-01-02", "1969-12-31")).toEqual({ ok: -86400000000000 });
  });
});
