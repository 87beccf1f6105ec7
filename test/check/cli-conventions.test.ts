/**
 * The CLI a person expects: `--help` for each command explains its options with examples,
 * `help <command>` prints the same, `--version` is package.json's, `-` reads standard input,
 * one error style (`tokenwarden <command>: message`), exit codes 0/1/2 only, and `plan` output
 * that does not change between runs given `--now`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main";
import type { CliIO } from "../../cli/io";
import { runMain } from "../support/run-cli";
import { REPO } from "./helpers";

const NOW = "2026-11-30T12:00:00Z";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** `tokenwarden <argv>` in-process with `stdin` as standard input. */
async function withStdin(argv: string[], stdin: string) {
  let out = "";
  let err = "";
  let reads = 0;
  const io: CliIO = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    interactive: false,
    env: {},
    cwd: REPO,
    readStdin: async () => {
      reads++;
      return stdin;
    },
  };
  const code = await main(argv, io);
  return { code, out, err, reads };
}

describe("help", () => {
  // The commands this suite documents; each explains every flag its parser accepts.
  const options: Record<string, string[]> = {
    validate: ["--format"],
    plan: ["--format", "--no-policy", "--policies", "--now"],
    synth: ["--out", "--format"],
    check: ["--format", "--policies", "--now"],
    input: ["--now", "--compact"],
    policy: [
      "--data",
      "--input",
      "--format",
      "--strict-builtin-errors",
      "--max-steps",
      "--timeout",
      "--verbose",
      "--run",
    ],
  };
  for (const [name, flags] of Object.entries(options)) {
    it(`${name} --help explains every option, with examples; help ${name} says the same`, async () => {
      const r = await runMain([name, "--help"]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Usage: tokenwarden /);
      for (const flag of flags)
        expect(r.out, flag).toMatch(new RegExp(`^\\s+(-\\w, )?${flag}\\b`, "m"));
      expect(r.out).toMatch(/^Examples:\n {2}(tokenwarden|opa|conftest) /m);
      expect(r.out).toContain("Exit codes: 0");
      const viaHelp = await runMain(["help", name]);
      expect(viaHelp).toEqual(r);
    });
  }

  it("lists every command, and says how to get a command's help", async () => {
    const r = await runMain(["--help"]);
    expect(r.code).toBe(0);
    for (const name of Object.keys(options)) expect(r.out).toMatch(new RegExp(`^  ${name} `, "m"));
    expect(r.out).toContain("tokenwarden help <command>");
  });

  it("help --help (and help -h) prints the overview, as --help does", async () => {
    const overview = await runMain(["--help"]);
    for (const flag of ["--help", "-h"]) expect(await runMain(["help", flag])).toEqual(overview);
  });

  it("help for a command that does not exist is a usage error", async () => {
    const r = await runMain(["help", "frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tokenwarden: no command "frobnicate"; commands: validate, /);
  });
});

describe("--version", () => {
  it("prints package.json's version", async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
      version: string;
    };
    for (const flag of ["--version", "-V"]) {
      const r = await runMain([flag]);
      expect(r).toEqual({ code: 0, out: `tokenwarden ${pkg.version}\n`, err: "" });
    }
  });
});

describe("- reads standard input", () => {
  const manifest = fs.readFileSync(
    path.join(REPO, "examples/violations/access-needs.yaml"),
    "utf8",
  );

  it("check - judges stdin like the file, reported as <stdin>", async () => {
    const viaFile = await runMain([
      "check",
      "examples/violations/access-needs.yaml",
      "--now",
      NOW,
      "--format",
      "json",
    ]);
    const viaStdin = await withStdin(["check", "-", "--now", NOW, "--format", "json"], manifest);
    expect(viaStdin.code).toBe(1);
    expect(viaStdin.reads).toBe(1);
    const strip = (s: string) =>
      (JSON.parse(s) as { findings: { file: string }[] }).findings.map((f) => ({ ...f, file: "" }));
    expect(strip(viaStdin.out)).toEqual(strip(viaFile.out));
    expect((JSON.parse(viaStdin.out) as { inputs: { file: string }[] }).inputs).toEqual([
      { file: "<stdin>", kind: "manifest" },
    ]);
  });

  it("validate - and input - read stdin", async () => {
    const v = await withStdin(["validate", "-"], manifest);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^<stdin>: valid — \d+ needs/);
    const broken = await withStdin(["validate", "-"], "version: 1\nneeds: 3\n");
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/^<stdin>:\d+:\d+: /m);
    const i = await withStdin(["input", "-", "--now", NOW], manifest);
    expect(i.code).toBe(0);
    const viaFile = await runMain(["input", "examples/violations/access-needs.yaml", "--now", NOW]);
    expect(i.out).toBe(viaFile.out);
  });

  it("stdin can be given once", async () => {
    const r = await withStdin(["check", "-", "-"], manifest);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tokenwarden check: standard input \(-\) can be given once\nUsage: /);
  });
});

describe("one error style, exit codes 0/1/2", () => {
  it("synth --out under a file: exit 2 naming the file, nothing written", async () => {
    const file = path.join(tmp, "not-a-dir");
    fs.writeFileSync(file, "x");
    const r = await runMain([
      "synth",
      "examples/access-needs.yaml",
      "--out",
      path.join(file, "sub"),
    ]);
    expect(r.code).toBe(2);
    expect(r.err.split("\n")[0]).toMatch(
      /^tokenwarden synth: --out .*not-a-dir\/sub: .*not-a-dir is a file, not a directory$/,
    );
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
    expect(fs.readFileSync(file, "utf8")).toBe("x");
  });

  it("unknown flags and commands are usage errors (exit 2), one line and the usage", async () => {
    for (const argv of [
      ["check", "--bogus", "x.yaml"],
      ["validate", "--bogus"],
      ["input", "--bogus", "x"],
      ["plan", "--bogus", "x"],
    ]) {
      const r = await runMain(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err).toMatch(
        new RegExp(
          `^tokenwarden ${argv[0]}: unknown flag --bogus\\nUsage: tokenwarden ${argv[0]} `,
        ),
      );
    }
    const r = await runMain(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tokenwarden: unknown command "frobnicate"/);
  });

  it("a missing input is exit 2 with one line naming it, in every command that reads one", async () => {
    for (const name of ["check", "validate", "input", "plan"]) {
      const r = await runMain([name, "no-such.yaml"]);
      expect(r.code, name).toBe(2);
      expect(r.err, name).toMatch(/no-such\.yaml.*no such file/);
      expect(r.err.trim().split("\n").length, name).toBeLessThanOrEqual(2);
    }
  });
});

describe("plan is deterministic given --now", () => {
  it("prints the same text and JSON on every run", async () => {
    for (const format of ["text", "json"]) {
      const argv = ["plan", "examples/access-needs.yaml", "--now", NOW, "--format", format];
      const a = await runMain(argv);
      await new Promise((r) => setTimeout(r, 1100)); // a wall-clock second passes between runs
      const b = await runMain(argv);
      expect(a.code).toBeLessThan(2);
      expect(b).toEqual(a);
      // rotation times are computed from --now, not from the wall clock
      expect(a.out).toMatch(/next_rotation\\?":\\?"20\d\d-\d\d-\d\dT12:00:00Z/);
    }
  }, 120_000);
});
