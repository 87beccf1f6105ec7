/**
 * Issue 4 part 6: `tokenwarden plan` shows the policy results under the resources they concern —
 * each finding under its need's subtree in the text tree, a `findings` list naming the resources
 * in JSON, a summary line, exit 1 on any deny (as `pulumi preview --policy-pack` fails on a
 * mandatory policy), and `--no-policy` to list resources only.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { attachFindings, planFile, renderJson, renderText } from "../../cli/commands/plan";
import { loadManifest } from "../../model";
import { EXAMPLE, NOW, REPO, VIOLATIONS, WAIVERS, tokenwarden } from "./helpers";

interface Row {
  id: string;
  severity: "deny" | "warn";
  message: string;
  source: string;
  need?: string;
  field?: string;
  line?: number;
  resources: string[];
  urns: string[];
}
interface PlanJson {
  tokenwarden?: { needs: { name: string }[] };
  resources: { type: string; name: string; urn: string }[];
  findings?: Row[];
  waived?: Row[];
  policy: { evaluated: boolean; deny?: number; warn?: number; waived?: number };
}

async function checkRows(file: string): Promise<{ findings: Row[]; waived: Row[] }> {
  const r = await tokenwarden(["check", file, "--now", NOW, "--format", "json"]);
  return JSON.parse(r.out) as { findings: Row[]; waived: Row[] };
}

/** The lines of a need's subtree in the text tree: from its label to the next need or consumer. */
/** The lines under a need (or a consumer: its own findings, before its needs). */
function subtree(text: string, need: string, kind: "need" | "consumer" = "need"): string[] {
  const lines = text.split("\n");
  const head = new RegExp(`[├└]─ ${kind} ${need}${kind === "need" ? "$" : " \\("}`);
  const start = lines.findIndex((l) => head.test(l));
  expect(start, `${kind} ${need} in the tree`).toBeGreaterThan(0);
  let end = start + 1;
  while (end < lines.length && lines[end] !== "" && !/[├└]─ (need|consumer) /.test(lines[end])) {
    end++;
  }
  return lines.slice(start + 1, end);
}

describe("plan shows the policy results under their needs (violations example)", () => {
  it("text: each finding of `check` under its need, a summary, exit 1 on the denies", async () => {
    const r = await tokenwarden(["plan", VIOLATIONS, "--now", NOW]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    const { findings } = await checkRows(VIOLATIONS);
    expect(findings.filter((f) => f.severity === "deny").length).toBeGreaterThan(5);
    for (const f of findings) {
      const mark = f.severity === "deny" ? "✗ deny" : "! warn";
      // A role's finding (login bindings, TW017–TW023) names no need: it sits under its consumer.
      const under =
        f.need !== undefined ? subtree(r.out, f.need) : subtree(r.out, f.source, "consumer");
      const shown = under.filter((l) => l.includes(`${mark} ${f.id} ${f.message}`));
      expect(shown, `${f.id} ${f.message}`).toHaveLength(1);
      // With the manifest line to edit.
      expect(shown[0]).toMatch(new RegExp(`\\(${VIOLATIONS}:\\d+\\)$`));
    }
    const deny = findings.filter((f) => f.severity === "deny").length;
    const warn = findings.length - deny;
    expect(r.out.trimEnd().split("\n").at(-1)).toBe(
      `policy: ${deny + warn} findings (${deny} deny, ${warn} warn), 0 waived — ` +
        "the plan fails: fix or waive each deny before `pulumi up`",
    );
  });

  it("a finding sits on its own need only, never on a neighbour", async () => {
    const r = await tokenwarden(["plan", VIOLATIONS, "--now", NOW]);
    // billing-everything trips TW001 only; its neighbour billing-config-cleanup TW002 only.
    expect(subtree(r.out, "billing-everything").filter((l) => /[✗!~] /.test(l))).toEqual([
      expect.stringContaining("✗ deny TW001 "),
    ]);
    expect(
      subtree(r.out, "billing-config-cleanup")
        .filter((l) => /[✗!~] /.test(l))
        .map((l) => /[✗!~] \w+ (TW\d+)/.exec(l)?.[1]),
    ).toEqual(["TW002", "TW002"]);
  });

  it("json: findings next to resources, each naming the need's component, plus the declaration", async () => {
    const r = await tokenwarden(["plan", VIOLATIONS, "--now", NOW, "--format", "json"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as PlanJson;
    const checked = await checkRows(VIOLATIONS);
    const strip = (f: Row) => [f.id, f.severity, f.need, f.field, f.message, f.source].join(" ");
    expect((doc.findings ?? []).map(strip).sort()).toEqual(checked.findings.map(strip).sort());
    const byUrn = new Map(doc.resources.map((x) => [x.urn, x]));
    for (const f of doc.findings ?? []) {
      expect(f.urns).toHaveLength(1);
      const at = byUrn.get(f.urns[0]);
      // A role's finding (login bindings) names no need: it is attached to its consumer's role.
      const [type, name] =
        f.need !== undefined
          ? ["tokenwarden:index:NeedGrant", f.need]
          : ["tokenwarden:index:ConsumerRole", f.source];
      expect(at?.type).toBe(type);
      expect(at?.name).toBe(name);
      expect(f.resources).toEqual([name]);
      expect(f.line).toBeGreaterThan(0);
    }
    expect(doc.policy).toMatchObject({
      evaluated: true,
      deny: checked.findings.filter((f) => f.severity === "deny").length,
      warn: checked.findings.filter((f) => f.severity === "warn").length,
      waived: 0,
    });
    expect(doc.tokenwarden?.needs.map((n) => n.name)).toEqual(
      loadManifest(path.resolve(REPO, VIOLATIONS)).needs.map((n) => n.name),
    );
  });

  it("--no-policy: resources only, exit 0, and the declaration still embedded for `check`", async () => {
    const text = await tokenwarden(["plan", VIOLATIONS, "--no-policy"]);
    expect(text.code).toBe(0);
    expect(text.out).not.toMatch(/[✗!~] (deny|warn|waived) TW/);
    expect(text.out.trimEnd().split("\n").at(-1)).toBe("policy: not evaluated (--no-policy)");
    const json = await tokenwarden(["plan", VIOLATIONS, "--no-policy", "--format", "json"]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out) as PlanJson;
    expect(doc.findings).toBeUndefined();
    expect(doc.waived).toBeUndefined();
    expect(doc.policy).toEqual({ evaluated: false });
    expect(doc.tokenwarden?.needs.length).toBeGreaterThan(0);
    expect(doc.resources.length).toBeGreaterThan(0);
  });
});

describe("plan on a clean manifest", () => {
  it("shows no finding, says so, and exits 0", async () => {
    const text = await tokenwarden(["plan", EXAMPLE, "--now", NOW]);
    expect(text.code).toBe(0);
    expect(text.out).not.toMatch(/[✗!~] (deny|warn|waived) /);
    expect(text.out.trimEnd().split("\n").at(-1)).toBe(
      "policy: 0 findings (0 deny, 0 warn), 0 waived",
    );
    const json = await tokenwarden(["plan", EXAMPLE, "--now", NOW, "--format", "json"]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out) as PlanJson;
    expect(doc.findings).toEqual([]);
    expect(doc.waived).toEqual([]);
    expect(doc.policy).toMatchObject({ evaluated: true, deny: 0, warn: 0, waived: 0 });
  });
});

describe("waivers and an organisation's rules", () => {
  it("a waived deny shows as waived under its need; a lapsed waiver's deny fails the plan", async () => {
    const r = await tokenwarden(["plan", WAIVERS, "--now", NOW]);
    expect(r.code).toBe(1);
    expect(subtree(r.out, "migration-reader")).toContainEqual(
      expect.stringMatching(
        /~ waived TW001 .*\[waived until 2027-01-31: Migration window approved in SEC-123\]/,
      ),
    );
    expect(subtree(r.out, "migration-reader").join("\n")).not.toContain("✗ deny");
    expect(subtree(r.out, "archive-reader")).toContainEqual(
      expect.stringMatching(/✗ deny TW001 .*waiver for TW001 on need "archive-reader" expired/),
    );
    expect(subtree(r.out, "unexplained")).toContainEqual(expect.stringMatching(/! warn TW007 /));
    expect(r.out).toContain("policy: 3 findings (2 deny, 1 warn), 1 waived");

    const json = JSON.parse(
      (await tokenwarden(["plan", WAIVERS, "--now", NOW, "--format", "json"])).out,
    ) as Omit<PlanJson, "waived"> & { waived: (Row & { waiver: unknown })[] };
    expect(json.waived.map((f) => [f.id, f.need, f.resources, f.waiver])).toEqual([
      [
        "TW001",
        "migration-reader",
        ["migration-reader"],
        { reason: "Migration window approved in SEC-123", expires: "2027-01-31" },
      ],
    ]);
  });

  it("--policies adds the organisation's rules: under the need they name, else at the top", async () => {
    const org = path.join(__dirname, "fixtures", "org");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-integration-org-"));
    const file = path.join(dir, "other-owner.yaml");
    const text = fs
      .readFileSync(path.resolve(REPO, EXAMPLE), "utf8")
      .replaceAll("owner: web@example.com", "owner: web@elsewhere.test");
    fs.writeFileSync(file, text);
    try {
      const r = await tokenwarden(["plan", file, "--now", NOW, "--policies", org]);
      expect(r.code, r.err).toBe(1);
      const lines = r.out.split("\n");
      const top = lines.findIndex((l) => l.startsWith("access needs "));
      expect(lines[top + 1]).toBe(
        "│  ! warn acme.tokens.warn declare a break-glass consumer for emergency access",
      );
      const denied = lines.filter((l) => l.includes("✗ deny acme.tokens.deny"));
      expect(denied.length).toBeGreaterThan(0);
      for (const need of loadManifest(file).needs.filter((n) => n.owner === "web@elsewhere.test")) {
        expect(subtree(r.out, need.name)).toContainEqual(
          expect.stringContaining(`✗ deny acme.tokens.deny need "${need.name}": owners must be`),
        );
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("where a finding without a need goes", () => {
  it("a consumer's finding under the consumer, anything else under the top-level component", async () => {
    const { resources } = await planFile(EXAMPLE, { now: new Date(NOW), policy: false });
    const finding = (id: string, source: string) => ({
      id,
      severity: "deny" as const,
      message: `${id} on ${source}`,
      remediation: "",
      source,
      resources: [],
      urns: [],
    });
    const attached = attachFindings(
      {
        findings: [finding("TW008", "billing-api"), finding("TW010", "stripe")],
        waived: [],
        notes: [],
      },
      resources,
    );
    const urnOf = (type: string, name: string) =>
      resources.find((r) => r.type === type && r.name === name)?.urn;
    expect(attached.findings.map((f) => f.urns[0])).toEqual([
      urnOf("tokenwarden:index:ConsumerRole", "billing-api"),
      urnOf("tokenwarden:index:AccessNeeds", "access-needs"),
    ]);
    const lines = renderText(resources, attached).split("\n");
    const consumer = lines.findIndex((l) => l.endsWith("consumer billing-api (approle auth)"));
    expect(lines[consumer + 1]).toBe("│  │  ✗ deny TW008 TW008 on billing-api");
    expect(lines[lines.findIndex((l) => l === "access needs access-needs") + 1]).toBe(
      "│  ✗ deny TW010 TW010 on stripe",
    );
  });
});

describe("secrets stay out of plan output that carries findings", () => {
  const CANARY = "hvs.CANARY-integration-plan-0000";
  it("neither the third-party tokens handed in nor the issued Vault token appear", async () => {
    const manifest = loadManifest(path.resolve(REPO, VIOLATIONS));
    const thirdParty = Object.fromEntries(
      manifest.needs
        .filter((n) => n.provider !== "vault")
        .map((n) => [n.name, `${CANARY}-${n.name}`]),
    );
    expect(Object.keys(thirdParty).length).toBeGreaterThan(0);
    const result = await planFile(VIOLATIONS, {
      now: new Date(NOW),
      policy: {},
      collect: { thirdPartyTokens: thirdParty, issuedTokenValue: CANARY },
    });
    // The canaries really went into the program: the KV entry holds one as its secret value
    // (shown only when the run is asked to reveal secrets, as the apply tests do).
    const [need, value] = Object.entries(thirdParty)[0];
    const kvOf = (r: typeof result) => r.resources.find((x) => x.name === `${need}-kv`)?.inputs;
    expect(kvOf(result)?.dataJsonWo).toBe("[secret]");
    const revealed = await planFile(VIOLATIONS, {
      now: new Date(NOW),
      policy: false,
      collect: { thirdPartyTokens: thirdParty, issuedTokenValue: CANARY, revealSecrets: true },
    });
    expect(kvOf(revealed)?.dataJsonWo).toContain(value);

    expect(result.policy?.findings.length).toBeGreaterThan(5);
    const text = renderText(result.resources, result.policy, VIOLATIONS);
    const json = renderJson(result.resources, result.policy, result.declaration);
    expect(text).toContain("✗ deny TW001");
    expect(text).toContain("dataJsonWo: [secret]");
    for (const out of [text, json]) expect(out).not.toContain("CANARY");
  });
});

describe("usage", () => {
  it("rejects a bad --now, --policies with --no-policy, a missing policy dir (exit 2, no stdout)", async () => {
    for (const [argv, message] of [
      [["plan", EXAMPLE, "--now", "yesterday"], /^tokenwarden plan: --now must be an RFC 3339/],
      [["plan", EXAMPLE, "--no-policy", "--policies", "policies"], /^tokenwarden plan: --policies/],
      [["plan", EXAMPLE, "--policies", "/nonexistent/org"], /--policies \/nonexistent\/org: not a/],
    ] as const) {
      const r = await tokenwarden([...argv]);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toMatch(message);
    }
  });
});

const built = fs.existsSync(path.join(REPO, "dist/cli/commands/plan.js"));
describe.skipIf(!built)("what plan loads (dist/, built by npm test)", () => {
  /** Runs the compiled command in a fresh process; reports its exit code and what it required. */
  const loads = (flags: string[]) => {
    const script = `
      const { run } = require("./dist/cli/commands/plan");
      const io = { out() {}, err() {}, interactive: false, env: {}, cwd: process.cwd(), readStdin: async () => "" };
      run(${JSON.stringify([VIOLATIONS, "--now", NOW, ...flags])}, io).then((code) => {
        const files = Object.keys(require.cache);
        const heavy = files.filter((f) => /node_modules[\\/](cdktf|@cdktf|@open-policy-agent|@pulumi[\\/]policy)[\\/]/.test(f));
        const rego = files.some((f) => /[\\/]dist[\\/]rego[\\/]/.test(f));
        process.stdout.write(JSON.stringify({ code, heavy: heavy.slice(0, 5), rego }));
      });`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: REPO, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as unknown;
  };

  it("evaluates policies with the Rego engine only: no HCL parser, CDKTF or wasm runtime", () => {
    expect(loads([])).toEqual({ code: 1, heavy: [], rego: true });
  });

  it("with --no-policy does not load the Rego engine at all", () => {
    expect(loads(["--no-policy"])).toEqual({ code: 0, heavy: [], rego: false });
  });
});
if (!built)
  console.log("skipping the module-load check: run `npm run build` first (npm test does)");
