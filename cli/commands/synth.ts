/**
 * `tokenwarden synth <manifest> --out <dir>`: the manifest's grants as a Terraform JSON
 * configuration (`<dir>/cdk.tf.json`, a normal CDKTF synth output with its providers' sources and
 * versions in `terraform.required_providers`), for teams that run Terraform or OpenTofu.
 * CDKTF is loaded only here, and only once the manifest is known to be valid.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs, formatFlag } from "../args";
import { UsageError } from "../../errors";
import { readInputText, type Command } from "../io";
import { loadManifest, parseManifestText, planGrants } from "../../model";
import { tokenVariableName } from "../../components/cdktf/terraform-names";
import { embeddedDeclaration } from "../../policies/input/declaration";

export const run: Command = async (argv, io) => {
  const args = parseArgs(argv, { out: { value: true, short: "o" }, format: { value: true } });
  const format = formatFlag(args, ["text", "json"], "text");
  if (args.positionals.length !== 1) {
    throw new UsageError("synth takes exactly one manifest file");
  }
  const out = args.get("out");
  if (!out) throw new UsageError("--out <dir> is required");
  const outDir = path.resolve(io.cwd, out);
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) {
    throw new UsageError(`--out ${out} exists and is not a directory`);
  }
  // A parent that is a file would fail only when writing, after CDKTF ran: refuse it up front.
  for (let dir = path.dirname(outDir); ; dir = path.dirname(dir)) {
    if (fs.existsSync(dir)) {
      if (!fs.statSync(dir).isDirectory()) {
        throw new UsageError(
          `--out ${out}: ${path.relative(io.cwd, dir) || dir} is a file, not a directory`,
        );
      }
      break;
    }
    if (path.dirname(dir) === dir) break;
  }

  // Invalid manifests throw ManifestError (an InputError: exit 2, one line per issue).
  // As typed, like `validate`: messages name the file the way the user wrote it; `-` reads
  // standard input, named "<stdin>" as `check` and `validate` name it.
  const given = args.positionals[0];
  const manifest =
    given === "-" ? parseManifestText(await readInputText(io), "<stdin>") : loadManifest(given);
  const plan = planGrants(manifest);

  if (io.interactive) io.err(`synthesizing ${manifest.needs.length} needs with CDKTF…\n`);
  // Compiled to a plain require(): CDKTF loads here, never when the CLI merely starts.
  const { synthesizeToDirectory } = await import("../../components/cdktf/synth");
  // The declared needs travel with the resources, so `tokenwarden check` can judge the output.
  const { file } = synthesizeToDirectory(plan, outDir, {
    declaration: embeddedDeclaration(manifest),
  });

  const variables = plan.consumers.flatMap((c) =>
    c.needs.filter((n) => n.kvEntry).map((n) => tokenVariableName(n.need)),
  );
  if (format === "json") {
    io.out(`${JSON.stringify({ file, tokenVariables: variables })}\n`);
  } else {
    io.out(`wrote ${file}\n`);
    if (variables.length > 0) {
      io.out(
        `${variables.length} third-party token(s) are read from the environment at apply: ` +
          `${variables
            .slice(0, 3)
            .map((v) => `TF_VAR_${v}`)
            .join(", ")}${variables.length > 3 ? ", …" : ""}\n`,
      );
    }
  }
  return 0;
};
