/**
 * `check` output a pull request can trust: a directory's files each checked and reported at their
 * own path (the same findings as checking them one by one), unknown files listed as skipped,
 * wrong shapes failing closed (exit 2), a line on every finding, SARIF fingerprints unique per
 * result and stable across runs, one finding per mistake, invalid inputs reported in the chosen
 * format, and waivers naming unknown rules refused.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMain } from "../support/run-cli";
import { REPO, haveSarifSchema, sarifValidator } from "./helpers";

const NOW = "2026-11-30T12:00:00Z";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-trust-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Row {
  id: string;
  severity: string;
  message: string;
  source: string;
  file: string;
  line?: number;
  column?: number;
  field?: string;
  resource?: string;
}
interface JsonReport {
  inputs: { file: string; kind: string }[];
  findings: Row[];
  skipped: { file: string; reason: string }[];
  errors: { file: string; line?: number; field: string; message: string }[];
}

async function checkJson(args: string[], cwd = REPO) {
  const r = await runMain(["check", ...args, "--now", NOW, "--format", "json"], cwd);
  return { ...r, doc: r.out ? (JSON.parse(r.out) as JsonReport) : undefined };
}

const key = (f: Row) => `${f.file}|${f.line}|${f.id}|${f.source}|${f.message}`;

describe("a directory", () => {
  it("checks each file of a known kind on its own, at its own path, and lists the rest as skipped", async () => {
    const dir = await checkJson(["examples/violations/"]);
    expect(dir.code).toBe(1);
    const doc = dir.doc as JsonReport;
    expect(doc.inputs).toEqual([
      { file: "examples/violations/access-needs.yaml", kind: "manifest" },
      { file: "examples/violations/cdk.tf.json", kind: "terraform-config" },
      { file: "examples/violations/terraform-plan.json", kind: "terraform-plan" },
    ]);
    expect(doc.skipped).toEqual([
      {
        file: "examples/violations/expected-findings.json",
        reason: expect.stringMatching(/^JSON that is no manifest/),
      },
    ]);
    // exactly the findings of the three files checked one by one
    const oneByOne: Row[] = [];
    for (const input of doc.inputs)
      oneByOne.push(...((await checkJson([input.file])).doc as JsonReport).findings);
    expect(doc.findings.map(key).sort()).toEqual(oneByOne.map(key).sort());
    for (const input of doc.inputs)
      expect(
        doc.findings.some((f) => f.file === input.file),
        input.file,
      ).toBe(true);
  });

  it("text output names the skipped files", async () => {
    const r = await runMain(["check", "examples/violations", "--now", NOW]);
    expect(r.out).toMatch(
      /^Skipped \(not an input check reads\):\n {2}examples\/violations\/expected-findings\.json: /m,
    );
  });

  it("a directory with nothing to check is an input error, not a clean pass", async () => {
    const empty = path.join(tmp, "nothing");
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, "notes.txt"), "hello");
    const r = await runMain(["check", empty]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no input of a known kind/);
  });
});

describe("wrong shapes fail closed (exit 2)", () => {
  const cases: [string, unknown, RegExp][] = [
    [
      "plan-string-changes.json",
      { format_version: "1.2", resource_changes: "x" },
      /:\d+:\d+: resource_changes: expected a list, got a string$/m,
    ],
    [
      "plan-bad-change.json",
      {
        format_version: "1.2",
        resource_changes: [
          { address: "vault_token.t", type: "vault_token", name: "t", change: { after: "x" } },
        ],
      },
      /resource_changes\[0\]\.change\.after: expected an object, got a string$/m,
    ],
    [
      "plan-bad-values.json",
      { format_version: "1.2", planned_values: { root_module: { resources: {} } } },
      /planned_values\.root_module\.resources: expected a list, got an object$/m,
    ],
    [
      "tf-bad-resource.json",
      { resource: { vault_policy: "x" } },
      /resource\.vault_policy: expected an object, got a string$/m,
    ],
    [
      "pulumi-bad.json",
      { resources: [{ type: "vault:index/token:Token", name: "t", inputs: "x" }] },
      /resources\[0\]\.inputs: expected an object, got a string$/m,
    ],
  ];
  for (const [name, doc, message] of cases) {
    it(name, async () => {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, JSON.stringify(doc, null, 2));
      const r = await runMain(["check", file, "--now", NOW]);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }
});

describe("every finding has a file and a line", () => {
  it("in the manifest, the Terraform plan, the Terraform JSON and synth output", async () => {
    const out = path.join(tmp, "synth-out");
    const s = await runMain(["synth", "examples/violations/access-needs.yaml", "--out", out]);
    expect(s.code).toBe(0);
    const r = await checkJson(["examples/violations/", out]);
    const doc = r.doc as JsonReport;
    expect(doc.findings.length).toBeGreaterThan(20);
    for (const f of doc.findings) {
      expect(f.line, `${f.file} ${f.id} ${f.message}`).toBeGreaterThan(0);
      expect(fs.existsSync(path.resolve(REPO, f.file))).toBe(true);
    }
    // synth output: a finding on a need is at that need's field in the embedded declaration
    const synth = doc.findings.filter((f) => f.file.startsWith(out));
    const noTtl = synth.find(
      (f) => f.id === "TW004" && /need "reporting-exports" has no ttl/.test(f.message),
    );
    expect(noTtl).toBeDefined();
    const lines = fs.readFileSync(path.join(out, "cdk.tf.json"), "utf8").split("\n");
    // the field is missing, so the need's entry itself: its name is the entry's first member
    expect(lines[(noTtl as Row).line! - 1]).toMatch(/"(name|access|consumer)"/);
    const refunds = synth.find((f) => /"stripe-refunds" rotates every 180d/.test(f.message)) as Row;
    expect(lines[refunds.line! - 1].trim()).toMatch(/^"rotation": 15552000,?$/);
  });

  it("in a Terraform plan, at the resource's attribute", async () => {
    const r = await checkJson(["examples/violations/terraform-plan.json"]);
    const lines = fs
      .readFileSync(path.join(REPO, "examples/violations/terraform-plan.json"), "utf8")
      .split("\n");
    const at = (re: RegExp) => {
      const f = (r.doc as JsonReport).findings.find((x) => re.test(x.message)) as Row;
      expect(f, String(re)).toBeDefined();
      return lines[f.line! - 1].trim();
    };
    expect(at(/has explicit max TTL 32d/)).toMatch(/^"explicit_max_ttl":/);
    expect(at(/has ttl 32d/)).toMatch(/^"ttl":/);
    expect(at(/is an orphan/)).toMatch(/^"no_parent":/);
    expect(at(/carries the root policy/)).toMatch(/^"policies":/);
    expect(at(/metadata\.bootstrap_token/)).toMatch(/^"bootstrap_token":/);
    expect(at(/grants "secret\/\*"/)).toMatch(/^"policy":/);
  });
});

describe("SARIF fingerprints", () => {
  it("are unique per result and the same on every run", async () => {
    const run = async () => {
      const r = await runMain(["check", "examples/violations/", "--now", NOW, "--format", "sarif"]);
      const log = JSON.parse(r.out) as {
        runs: { results: { ruleId: string; partialFingerprints: Record<string, string> }[] }[];
      };
      return log.runs[0].results.map((x) => Object.values(x.partialFingerprints).join());
    };
    const a = await run();
    const b = await run();
    expect(a.length).toBeGreaterThan(20);
    expect(new Set(a).size).toBe(a.length);
    expect(b).toEqual(a);
  });

  it("do not change when unrelated lines move", async () => {
    const src = fs.readFileSync(path.join(REPO, "examples/violations/access-needs.yaml"), "utf8");
    const moved = path.join(tmp, "moved.yaml");
    const orig = path.join(tmp, "orig.yaml");
    fs.writeFileSync(orig, src);
    fs.writeFileSync(moved, src.replace("version: 1", "# a comment\n# another\nversion: 1"));
    const fp = async (file: string) => {
      const r = await runMain(
        ["check", path.basename(file), "--now", NOW, "--format", "sarif"],
        tmp,
      );
      const log = JSON.parse(r.out) as {
        runs: {
          results: {
            partialFingerprints: Record<string, string>;
            locations: { physicalLocation: { region: { startLine: number } } }[];
          }[];
        }[];
      };
      return log.runs[0].results;
    };
    const a = await fp(orig);
    fs.renameSync(moved, orig);
    const b = await fp(orig);
    expect(b.map((x) => x.partialFingerprints)).toEqual(a.map((x) => x.partialFingerprints));
    expect(b[0].locations[0].physicalLocation.region.startLine).toBe(
      a[0].locations[0].physicalLocation.region.startLine + 2,
    );
  });
});

describe("one mistake, one finding", () => {
  const manifest = (need: string) => `version: 1
limits: { maxTtl: 720h, maxRotation: 90d, maxNeedLifetime: 365d }
consumers:
  - { name: cron, owner: data@example.com, auth: token }
  - { name: api, owner: data@example.com, auth: approle }
providers:
  - { name: vault, kind: vault-token }
needs:
  - name: exports
    provider: vault
    paths: [{ path: "secret/data/reporting/exports", capabilities: [read] }]
    access: read
    rotation: 7d
    owner: data@example.com
    justification: Nightly export job
    expires: 2027-06-30
${need}`;
  const cases: [string, string, RegExp][] = [
    [
      "missing maxTtl (token consumer)",
      "    consumer: cron\n    ttl: 1h\n",
      /need "exports" has no maxTtl/,
    ],
    [
      "missing maxTtl (approle consumer)",
      "    consumer: api\n    ttl: 1h\n",
      /need "exports" has no maxTtl/,
    ],
    ["missing ttl", "    consumer: cron\n    maxTtl: 4h\n", /need "exports" has no ttl/],
    [
      "maxTtl above the limit",
      "    consumer: cron\n    ttl: 1h\n    maxTtl: 1000h\n",
      /need "exports" has maxTtl 1000h, above the organisation limit/,
    ],
  ];
  for (const [name, extra, only] of cases) {
    it(name, async () => {
      const file = path.join(tmp, `${name.replace(/\W+/g, "-")}.yaml`);
      fs.writeFileSync(file, manifest(extra));
      const r = await checkJson([file]);
      const ttl = (r.doc as JsonReport).findings.filter((f) => f.id === "TW004");
      expect(ttl.map((f) => f.message)).toEqual([expect.stringMatching(only)]);
      // the remediation names a field the manifest has
      expect(ttl[0].field).toMatch(/^(ttl|maxTtl)$/);
      expect(ttl[0].message).toMatch(/; (set|lower) (ttl|maxTtl) /);
    });
  }
});

describe("an invalid input is reported in the chosen format, and still exits 2", () => {
  const broken =
    "version: 1\nconsumers:\n  - { name: a, owner: a@example.com, auth: approle }\nneeds:\n  - name: x\n    consumer: a\n    ttl: soon\n";
  const file = () => {
    const f = path.join(tmp, "broken.yaml");
    fs.writeFileSync(f, broken);
    return f;
  };

  it("github: an error annotation at the line", async () => {
    const f = file();
    const r = await runMain(["check", f, "--format", "github"]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(
      new RegExp(
        `^::error file=${f.replace(/[/.]/g, "\\$&")},line=7,col=\\d+,title=TW000 invalid input::needs\\[0\\]\\.ttl: `,
        "m",
      ),
    );
    expect(r.err).toMatch(/broken\.yaml:7:\d+: needs\[0\]\.ttl: /);
  });

  it("sarif: a result at the line, in a valid log", async () => {
    const r = await runMain(["check", file(), "--format", "sarif"]);
    expect(r.code).toBe(2);
    const log = JSON.parse(r.out) as {
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          locations: { physicalLocation: { region: { startLine: number } } }[];
        }[];
      }[];
    };
    const res = log.runs[0].results.find(
      (x) => x.locations[0].physicalLocation.region.startLine === 7,
    ) as (typeof log.runs)[0]["results"][0];
    expect(res.ruleId).toBe("TW000");
    if (haveSarifSchema) {
      const validate = sarifValidator();
      expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(res.level).toBe("error");
    expect(res.locations[0].physicalLocation.region.startLine).toBe(7);
    expect(log.runs[0].tool.driver.rules[0].id).toBe("TW000");
  });

  it("json and junit carry it too; text prints nothing on stdout", async () => {
    const j = await runMain(["check", file(), "--format", "json"]);
    expect(j.code).toBe(2);
    expect((JSON.parse(j.out) as JsonReport).errors).toContainEqual(
      expect.objectContaining({ line: 7, field: "needs[0].ttl" }),
    );
    const x = await runMain(["check", file(), "--format", "junit"]);
    expect(x.code).toBe(2);
    expect(x.out).toMatch(/<error message="[^"]+" type="invalid input">/);
    const t = await runMain(["check", file()]);
    expect(t.code).toBe(2);
    expect(t.out).toBe("");
  });
});

describe("waivers", () => {
  it("a waiver naming a rule that does not exist is an error at its line", async () => {
    const src = fs.readFileSync(path.join(REPO, "test/check/fixtures/clean.yaml"), "utf8");
    const f = path.join(tmp, "waiver.yaml");
    // a waiver of a rule no policy has, on the first need
    const withWaiver = src.replace(
      /(\n {2}- name: [^\n]+\n)/,
      "$1    waivers: [{ rule: TW999, reason: typo, expires: 2027-01-01 }]\n",
    );
    expect(withWaiver).not.toBe(src);
    fs.writeFileSync(f, withWaiver);
    const r = await runMain(["check", f, "--now", NOW, "--format", "github"]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(
      /^::error file=[^,]+,line=\d+,col=\d+,title=TW000 invalid input::needs\[0\]\.waivers\[0\]\.rule: waiver of need "[^"]+" names rule "TW999", which no loaded policy has/m,
    );
    // a real rule is accepted
    fs.writeFileSync(f, withWaiver.replace("TW999", "TW001"));
    expect((await runMain(["check", f, "--now", NOW])).code).toBe(0);
  });
});
