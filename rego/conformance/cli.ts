/**
 * `npm run conformance -- [dir] [--verbose] [--folder name]`: per-folder results, then `N passed, M failed`.
 */
import * as path from "node:path";
import * as fs from "node:fs";
import { runAll } from "./runner";

function main(argv: string[]): number {
  const verbose = argv.includes("--verbose") || argv.includes("-v");
  const fi = argv.indexOf("--folder");
  const folder = fi >= 0 ? argv[fi + 1] : undefined;
  const positional = argv.filter((a, i) => !a.startsWith("-") && !(fi >= 0 && i === fi + 1));
  const repoRoot = path.resolve(__dirname, "../../..");
  const dir = positional[0]
    ? path.resolve(positional[0])
    : path.resolve(repoRoot, "../shared/opa-conformance");
  if (!fs.existsSync(dir)) {
    process.stderr.write(`conformance: directory not found: ${dir}\n`);
    return 2;
  }
  let reports = runAll(dir);
  if (folder) reports = reports.filter((r) => r.folder === folder);
  const byFolder = new Map<string, { pass: number; fail: number; skip: number }>();
  let pass = 0;
  let fail = 0;
  let skip = 0;
  for (const r of reports) {
    const f = byFolder.get(r.folder) ?? { pass: 0, fail: 0, skip: 0 };
    byFolder.set(r.folder, f);
    if (r.outcome.status === "pass") {
      f.pass++;
      pass++;
    } else if (r.outcome.status === "fail") {
      f.fail++;
      fail++;
      if (verbose)
        process.stdout.write(
          `FAIL ${r.c.note} (${path.relative(dir, r.file)})\n      ${r.outcome.reason}\n`,
        );
    } else {
      f.skip++;
      skip++;
      process.stdout.write(`SKIP ${r.c.note}: ${r.outcome.reason}\n`);
    }
  }
  for (const [name, f] of [...byFolder].sort()) {
    process.stdout.write(
      `${name.padEnd(28)} ${String(f.pass).padStart(4)} passed, ${f.fail} failed${f.skip ? `, ${f.skip} skipped` : ""}\n`,
    );
  }
  if (skip > 0) process.stdout.write(`${skip} skipped (reasons above)\n`);
  process.stdout.write(`${pass} passed, ${fail} failed\n`);
  return fail > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
