/**
 * The GitHub Action (action.yml), run step by step as the runner would in a repository that has
 * tokenwarden as a devDependency: SARIF written for code scanning (the upload step gets it), the
 * diff annotated, the job failed on a deny and on an input that cannot be checked. The `uses`
 * steps (setup-node, upload-sarif) cannot run on this machine; the test checks what they are
 * given. Installing from a tarball (the `package` input) is run in test/package/.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAction, runAction, type StepResult } from "./action-steps";
import { REPO, haveSarifSchema, sarifValidator } from "./helpers";

const BIN = path.join(REPO, "bin/tokenwarden.js");
const built = fs.existsSync(path.join(REPO, "dist/cli/main.js"));
if (!built) console.warn("skipping the action tests: dist/ is not built (npm run build)");
const NOW = "2026-11-30T12:00:00Z";
const action = loadAction(path.join(REPO, "action.yml"));
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-action-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A user's repository with tokenwarden installed as a devDependency (its bin linked). */
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, "repo-"));
  fs.mkdirSync(path.join(dir, "node_modules/.bin"), { recursive: true });
  fs.symlinkSync(BIN, path.join(dir, "node_modules/.bin/tokenwarden"));
  for (const [name, src] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.copyFileSync(path.join(REPO, src), path.join(dir, name));
  }
  return dir;
}

function run(dir: string, inputs: Record<string, string>) {
  const runnerTemp = fs.mkdtempSync(path.join(tmp, "runner-"));
  const steps = runAction(action, {
    inputs: { now: NOW, ...inputs },
    cwd: dir,
    actionPath: REPO,
    runnerTemp,
  });
  const step = (name: string) => steps.find((s) => s.name === name) as StepResult;
  return { steps, step, runnerTemp };
}

describe.skipIf(!built)("action.yml", () => {
  it("is a composite action on the current setup-node and upload-sarif majors", () => {
    expect(action.runs.using).toBe("composite");
    const uses = action.runs.steps.map((s) => s.uses).filter(Boolean);
    expect(uses).toEqual(["actions/setup-node@v6", "github/codeql-action/upload-sarif@v4"]);
  });

  it("a deny: SARIF uploaded, the diff annotated, the job fails", () => {
    const dir = project({ "access-needs.yaml": "examples/violations/access-needs.yaml" });
    const { step } = run(dir, {});
    expect(step("Install tokenwarden").code).toBe(0);
    expect(step("Check (SARIF)").code).toBe(0);
    const upload = step("Upload SARIF to code scanning");
    expect(upload.skipped).toBe(false);
    expect(upload.with?.category).toBe("tokenwarden");
    const sarif = JSON.parse(fs.readFileSync(upload.with?.sarif_file as string, "utf8")) as {
      runs: {
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    expect(sarif.runs[0].results.length).toBeGreaterThan(10);
    for (const r of sarif.runs[0].results) {
      // paths relative to the repository root, as code scanning maps them onto the diff
      expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe("access-needs.yaml");
      expect(r.locations[0].physicalLocation.region.startLine).toBeGreaterThan(0);
    }
    if (haveSarifSchema) {
      const validate = sarifValidator();
      expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    }
    const annotate = step("Annotate the diff");
    expect(annotate.code).toBe(0);
    expect(annotate.stdout).toMatch(
      /^::error file=access-needs\.yaml,line=\d+,col=\d+,title=TW001::/m,
    );
    const fail = step("Fail on deny");
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain("a rule denies");
  });

  it("clean inputs (a directory and a file): no annotations, the job passes", () => {
    const dir = project({
      "infra/access-needs.yaml": "examples/access-needs.yaml",
      "other/notes.json": "package.json",
    });
    const { step } = run(dir, {
      inputs: "infra/\n  infra/access-needs.yaml",
      "upload-sarif": "false",
    });
    expect(step("Check (SARIF)").code).toBe(0);
    expect(step("Upload SARIF to code scanning").skipped).toBe(true);
    expect(step("Annotate the diff").skipped).toBe(true);
    expect(step("Fail on deny").code).toBe(0);
  });

  it("an invalid manifest: a SARIF result and an annotation at its line, and the job fails (exit 2)", () => {
    const dir = project({});
    fs.writeFileSync(
      path.join(dir, "access-needs.yaml"),
      "version: 1\nconsumers: []\nneeds:\n  - name: x\n    ttl: soon\n",
    );
    const { step } = run(dir, {});
    const sarif = JSON.parse(
      fs.readFileSync(step("Upload SARIF to code scanning").with?.sarif_file as string, "utf8"),
    ) as {
      runs: { results: { ruleId: string }[] }[];
    };
    expect(sarif.runs[0].results.every((r) => r.ruleId === "TW000")).toBe(true);
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
    expect(step("Annotate the diff").stdout).toMatch(/^::error file=access-needs\.yaml,line=\d+/m);
    const fail = step("Fail on deny");
    expect(fail.code).toBe(2);
    expect(fail.stdout).toContain("could not be checked");
  });

  it("fail-on-deny: false reports denies without failing; org policies and --now are passed on", () => {
    const dir = project({
      "access-needs.yaml": "examples/violations/access-needs.yaml",
      "org/naming.rego": "test/check/fixtures/org/naming.rego",
    });
    const { step, runnerTemp } = run(dir, { "fail-on-deny": "false", policies: "org" });
    expect(fs.readFileSync(path.join(runnerTemp, "tokenwarden-args"), "utf8").split("\n")).toEqual([
      "access-needs.yaml",
      "--policies",
      "org",
      "--now",
      NOW,
      "",
    ]);
    expect(step("Fail on deny").code).toBe(0);
    expect(step("Fail on deny").stdout).toContain("not failing");
  });
});
