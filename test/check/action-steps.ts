/**
 * Runs a composite action's steps the way the runner does, as far as this machine can: each `run`
 * step through bash with its `env` (inputs and earlier steps' outputs substituted), its `if`
 * evaluated, GITHUB_OUTPUT read back into `steps.<id>.outputs`. `uses` steps (actions fetched from
 * GitHub) cannot run here: they are recorded with their inputs for the test to check.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
export interface ActionYaml {
  inputs: Record<string, { default?: string; required?: boolean }>;
  runs: { using: string; steps: Step[] };
}

export interface StepResult {
  readonly name: string;
  readonly skipped: boolean;
  readonly uses?: string;
  readonly with?: Record<string, string>;
  readonly code?: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

export function loadAction(file: string): ActionYaml {
  return parse(fs.readFileSync(file, "utf8")) as ActionYaml;
}

export function runAction(
  action: ActionYaml,
  opts: {
    inputs: Record<string, string>;
    cwd: string;
    actionPath: string;
    runnerTemp: string;
    env?: Record<string, string>;
  },
): StepResult[] {
  const inputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs)) inputs[k] = v.default ?? "";
  Object.assign(inputs, opts.inputs);
  const outputs: Record<string, Record<string, string>> = {};
  const results: StepResult[] = [];
  let failed = false;

  const value = (expr: string): string => {
    const e = expr.trim();
    let m = /^inputs\.([\w-]+)$/.exec(e);
    if (m) return inputs[m[1]] ?? "";
    m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e);
    if (m) return outputs[m[1]]?.[m[2]] ?? "";
    m = /^github\.action_path$/.exec(e);
    if (m) return opts.actionPath;
    throw new Error(`expression not supported by this runner: ${e}`);
  };
  const substitute = (s: string) => s.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => value(e));
  const condition = (expr: string | undefined): boolean => {
    if (expr === undefined) return !failed;
    const inner = expr.replace(/^\s*\$\{\{(.*)\}\}\s*$/s, "$1");
    const js = inner
      .replace(/always\(\)/g, "true")
      .replace(/success\(\)/g, String(!failed))
      .replace(/failure\(\)/g, String(failed))
      .replace(/(inputs\.[\w-]+|steps\.[\w-]+\.outputs\.[\w-]+)/g, (ref) =>
        JSON.stringify(value(ref)),
      )
      .replace(/'([^']*)'/g, (_, s: string) => JSON.stringify(s))
      .replace(/==/g, "===")
      .replace(/!===/g, "!==");
    const ok = new Function(`return (${js});`)() as boolean;
    // Without a status function, `if` implies success() as on GitHub.
    return /always\(\)|failure\(\)/.test(inner) ? ok : ok && !failed;
  };

  for (const [i, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.id ?? `step ${i}`;
    if (!condition(step.if)) {
      results.push({ name, skipped: true });
      continue;
    }
    if (step.uses) {
      const w: Record<string, string> = {};
      for (const [k, v] of Object.entries(step.with ?? {})) w[k] = substitute(String(v));
      results.push({ name, skipped: false, uses: step.uses, with: w });
      continue;
    }
    const outFile = path.join(opts.runnerTemp, `output-${i}`);
    fs.writeFileSync(outFile, "");
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ...(opts.env ?? {}),
      GITHUB_OUTPUT: outFile,
      GITHUB_ACTION_PATH: opts.actionPath,
      RUNNER_TEMP: opts.runnerTemp,
      CI: "true",
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = substitute(String(v));
    if (step.shell !== "bash") throw new Error(`${name}: only bash steps are supported`);
    const r = spawnSync(
      "bash",
      ["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", substitute(step.run ?? "")],
      {
        cwd: opts.cwd,
        env,
        encoding: "utf8",
        timeout: 600_000,
      },
    );
    const code = r.status ?? 1;
    if (step.id) {
      const outs: Record<string, string> = {};
      for (const line of fs.readFileSync(outFile, "utf8").split("\n")) {
        const eq = line.indexOf("=");
        if (eq > 0) outs[line.slice(0, eq)] = line.slice(eq + 1);
      }
      outputs[step.id] = outs;
    }
    results.push({ name, skipped: false, code, stdout: r.stdout, stderr: r.stderr });
    if (code !== 0) failed = true;
  }
  return results;
}
