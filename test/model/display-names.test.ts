/**
 * The display name Vault hands back for a token: the quick path (a name Vault keeps as it is)
 * must agree with Vault's whole sanitising rule on every kind of name, not only manifest names.
 */
import { describe, expect, it } from "vitest";
import { vaultDisplayName } from "../../model/display-names";

/** Vault's rule written out plainly: prefix, replace outside [a-zA-Z0-9-], drop one trailing `-`. */
function vaultRule(requested: string): string {
  const full = `token-${requested}`.replace(/[^a-zA-Z0-9-]/g, "-");
  return (full.endsWith("-") ? full.slice(0, -1) : full).slice("token-".length);
}

describe("vaultDisplayName", () => {
  it("agrees with Vault's rule on names kept as they are and names it changes", () => {
    const cases = [
      "",
      "-",
      "a",
      "billing-config",
      "Billing-Config-09",
      "ends-",
      "ends--",
      "ends.",
      "a.b_c",
      "x y",
      "é",
      "a/b",
      "AZaz09-",
      "@",
      "[",
      "`",
      "{",
      "n00003-analytics",
    ];
    for (const name of cases) expect(vaultDisplayName(name), name).toBe(vaultRule(name));
  });

  it("agrees with Vault's rule on every short name over a mixed alphabet", () => {
    // Both sides of each boundary of the kept set: / 0 9 : @ A Z [ ` a z { and - . _
    const alphabet = ["/", "0", "9", ":", "@", "A", "Z", "[", "`", "a", "z", "{", "-", ".", "_"];
    let checked = 0;
    for (const x of alphabet)
      for (const y of alphabet)
        for (const z of ["", ...alphabet]) {
          const name = x + y + z;
          expect(vaultDisplayName(name), name).toBe(vaultRule(name));
          checked++;
        }
    expect(checked).toBe(15 * 15 * 16);
  });

  it("hands back the very string it was given when Vault keeps the name", () => {
    const name = ["n", "00001", "-stripe"].join("");
    expect(vaultDisplayName(name)).toBe(name);
  });
});
