/**
 * TW016 (a grant that can switch off or re-point the audit trail) is denied outright: a need's
 * waiver for it is shown but never turns the deny into a waived finding, unlike other rules.
 */
import { describe, expect, it } from "vitest";
import { applyWaivers } from "../../policies/evaluate";
import type { Finding, InputNeed, PolicyInput } from "../../policies/input/types";

const need: InputNeed = {
  name: "platform-audit",
  consumer: "ops",
  provider: "vault",
  scopes: [],
  paths: [{ path: "sys/audit/*", capabilities: ["update"] }],
  access: "admin",
  ttl_seconds: 3600,
  max_ttl_seconds: 14400,
  rotation_seconds: 604800,
  owner: "platform@example.com",
  justification: "Rotates the audit destination",
  expires: "2027-06-30",
  default_policy: false,
  waivers: [
    { rule: "TW016", reason: "audit migration", expires: "2027-01-31" },
    { rule: "TW014", reason: "platform admin", expires: "2027-01-31" },
  ],
  policy_name: "tw-platform-audit",
};
const input: PolicyInput = {
  now: "2026-11-30T12:00:00Z",
  limits: {
    max_ttl_seconds: 2592000,
    max_rotation_seconds: 7776000,
    max_need_lifetime_seconds: 31536000,
  },
  needs: [need],
  consumers: [{ name: "ops", owner: "platform@example.com", auth: "token" }],
  providers: [{ name: "vault", kind: "vault-token", scopes: [], max_ttl_seconds: null }],
  vault: { policies: [], tokens: [], roles: [], secrets: [] },
};
const finding = (id: string): Finding => ({
  id,
  severity: "deny",
  message: `${id} on platform-audit; fix`,
  remediation: "fix",
  source: "platform-audit",
  need: "platform-audit",
});

describe("TW016 cannot be waived", () => {
  it("keeps the deny, saying the waiver was not honoured, while another rule's waiver applies", () => {
    const r = applyWaivers([finding("TW016"), finding("TW014")], input);
    expect(r.waived.map((f) => f.id)).toEqual(["TW014"]);
    expect(r.findings.map((f) => f.id)).toEqual(["TW016"]);
    expect(r.findings[0].message).toContain("cannot be waived");
  });
});
