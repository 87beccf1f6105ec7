import { isIPv4, isIPv6 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isIPv4Literal, isIPv6Literal } from "../../model/ip-literal";

describe("IP literals in CIDR lists (as Go's net.ParseIP reads them)", () => {
  it("takes the addresses Vault takes", () => {
    for (const ip of ["10.1.2.0", "0.0.0.0", "255.255.255.255", "192.168.0.1"])
      expect(isIPv4Literal(ip), ip).toBe(true);
    for (const ip of [
      "::",
      "::1",
      "1::",
      "fe80::1",
      "2001:db8::8a2e:370:7334",
      "2001:0db8:0000:0000:0000:ff00:0042:8329",
      "1:2:3:4:5:6:7::",
      "::ffff:10.1.2.3",
      "1:2:3:4:5:6:1.2.3.4",
      "ABCD:EF01::",
    ])
      expect(isIPv6Literal(ip), ip).toBe(true);
  });

  it("refuses what Vault refuses", () => {
    for (const ip of ["256.1.1.1", "10.1.2", "10.1.2.3.4", "010.1.1.1", "1.2.3.4 ", "", "a.b.c.d"])
      expect(isIPv4Literal(ip), ip).toBe(false);
    for (const ip of [
      ":::",
      "1:::2",
      "1::2::3",
      "1:2:3:4:5:6:7:8::",
      "1:2:3:4:5:6:7",
      "12345::",
      ":1::2",
      "1::2:",
      "fe80::1%eth0", // a zone: net.ParseCIDR refuses it
      "::1.2.3.256",
      "1.2.3.4::",
      "g::1",
    ])
      expect(isIPv6Literal(ip), ip).toBe(false);
  });

  it("agrees with node:net on every string without a zone", () => {
    const text = fc.stringMatching(/^[0-9a-fA-F:.]{0,24}$/);
    fc.assert(
      fc.property(text, (s) => {
        expect(isIPv4Literal(s)).toBe(isIPv4(s));
        expect(isIPv6Literal(s)).toBe(isIPv6(s));
      }),
      { numRuns: 20000 },
    );
    // and on the shapes random strings rarely hit
    const group = fc.stringMatching(/^[0-9a-f]{1,4}$/);
    const shaped = fc.oneof(
      fc.array(group, { minLength: 1, maxLength: 9 }).map((g) => g.join(":")),
      fc
        .tuple(fc.array(group, { maxLength: 8 }), fc.array(group, { maxLength: 8 }))
        .map(([a, b]) => `${a.join(":")}::${b.join(":")}`),
      fc
        .tuple(fc.array(group, { maxLength: 7 }), fc.ipV4())
        .map(([a, v4]) => `${a.join(":")}${a.length ? ":" : "::"}${v4}`),
    );
    fc.assert(
      fc.property(shaped, (s) => {
        expect(isIPv6Literal(s), s).toBe(isIPv6(s));
      }),
      { numRuns: 20000 },
    );
  });
});
