import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DurationSyntaxError, formatDuration, parseDuration, tryParseDuration } from "../../model";

describe("durations", () => {
  it("parses single units and combinations, largest unit first", () => {
    expect(parseDuration("90s")).toBe(90);
    expect(parseDuration("15m")).toBe(900);
    expect(parseDuration("1h30m")).toBe(5400);
    expect(parseDuration("30d")).toBe(2_592_000);
    expect(parseDuration("1d2h3m4s")).toBe(93_784);
    expect(parseDuration("720h")).toBe(2_592_000);
    expect(parseDuration("0s")).toBe(0);
  });

  it("rejects everything else with the syntax hint", () => {
    for (const bad of [
      "",
      "1",
      "1x",
      "h",
      "1.5h",
      "-1h",
      "1h 30m",
      "30m1h",
      "1h1h",
      "1w",
      "1y",
      " 1h",
      "1H",
    ]) {
      expect(tryParseDuration(bad), bad).toBeUndefined();
      expect(() => parseDuration(bad)).toThrow(DurationSyntaxError);
    }
    expect(() => parseDuration("1x")).toThrow(
      '"1x" is not a duration (use s, m, h, d — e.g. 1h30m)',
    );
  });

  it("formats canonically, largest units first", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(5400)).toBe("1h30m");
    expect(formatDuration(2_592_000)).toBe("30d");
    expect(formatDuration(93_784)).toBe("1d2h3m4s");
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(1.5)).toThrow(RangeError);
  });

  it("format → parse is the identity on whole seconds", () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 365 * 86400 }), (s) => parseDuration(formatDuration(s)) === s),
    );
  });
});
