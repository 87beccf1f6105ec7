/**
 * OPA's own tools get the same findings: `tokenwarden input` prints the document the policies see,
 * and policies/conftest.rego's `deny`/`warn` (conftest's entry points, `opa eval 'data.main.deny'`)
 * over exactly that printed document equal what `check` reports — waivers and the no-declaration
 * gate included. Our engine stands in for opa/conftest here (neither can be installed on this
 * machine); it is held to OPA's conformance suite elsewhere.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMain } from "../support/run-cli";

const NOW = "2026-11-30T12:00:00Z";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-interop-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Row {
  id: string;
  severity: string;
  message: string;
  source: string;
}

const label = (f: Row) =>
  f.source ? `${f.id} ${f.source}: ${f.message}` : `${f.id}: ${f.message}`;

const INPUTS = [
  "examples/access-needs.yaml",
  "examples/violations/access-needs.yaml",
  "examples/violations/terraform-plan.json",
  "examples/violations/cdk.tf.json",
  "test/check/fixtures/violations.yaml",
];

describe("tokenwarden input + conftest entry points = check", () => {
  for (const file of INPUTS) {
    it(
      file,
      async () => {
        const printed = await runMain(["input", file, "--now", NOW]);
        expect(printed.code).toBe(0);
        const doc = path.join(tmp, `${path.basename(file)}.input.json`);
        fs.writeFileSync(doc, printed.out);

        const evalRule = async (rule: string) => {
          const r = await runMain([
            "policy",
            "eval",
            "-d",
            "policies",
            "-i",
            doc,
            "--format",
            "pretty",
            `data.main.${rule}`,
          ]);
          expect(r.code, r.err).toBe(0);
          return (JSON.parse(r.out) as string[]).sort();
        };
        const checked = await runMain(["check", file, "--now", NOW, "--format", "json"]);
        expect(checked.code, checked.err).toBeLessThan(2);
        const report = JSON.parse(checked.out) as { findings: Row[]; waived: Row[] };
        const expected = (sev: string) =>
          report.findings
            .filter((f) => f.severity === sev)
            .map(label)
            .sort();

        expect(await evalRule("deny")).toEqual(expected("deny"));
        expect(await evalRule("warn")).toEqual(expected("warn"));
        const waived = await evalRule("waived");
        expect(waived.length).toBe(report.waived.length);
        for (const w of report.waived)
          expect(waived.some((x) => x.startsWith(label(w)))).toBe(true);
      },
      60_000,
    );
  }

  it("the printed document carries no token value", async () => {
    const canary = "hvs.CANARYtokenwardenCANARY0123456789abcdef";
    const plan = {
      format_version: "1.2",
      resource_changes: [
        {
          address: "vault_kv_secret_v2.k",
          type: "vault_kv_secret_v2",
          name: "k",
          change: {
            actions: ["create"],
            after: { mount: "tokens", name: "a/b", data_json: JSON.stringify({ token: canary }) },
          },
        },
      ],
    };
    const file = path.join(tmp, "canary-plan.json");
    fs.writeFileSync(file, JSON.stringify(plan));
    const r = await runMain(["input", file, "--now", NOW]);
    expect(r.code).toBe(0);
    expect(r.out + r.err).not.toContain(canary);
    expect(r.out + r.err).not.toContain("CANARY");
  });
});
