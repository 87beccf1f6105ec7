/**
 * `tokenwarden procure` through the installed launcher (bin/tokenwarden.js → dist/), as a
 * scheduled CI job runs it: openid-client and jose (ES modules) load from the compiled CommonJS,
 * JSON on stdout only, nothing secret anywhere. And progress on a terminal. Needs `npm run build`.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run as procure } from "../../../cli/commands/procure";
import type { CliIO } from "../../../cli/io";
import { CANARY_SECRET, entryData, startWorld, type World } from "./fixture";

const REPO = path.resolve(__dirname, "../../..");
const BIN = path.join(REPO, "bin/tokenwarden.js");
const built = fs.existsSync(path.join(REPO, "dist/cli/commands/procure.js"));
if (!built && process.env.CI === "true") throw new Error("dist/ missing: run npm run build first");
if (!built) console.warn("skipping the procure launcher test: dist/ is not built (npm run build)");

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(() => w.close());

describe.skipIf(!built)("tokenwarden procure (installed launcher)", () => {
  it("procures with --due-only --format json: report on stdout, stderr empty, no secret", async () => {
    const r = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, "procure", w.manifest, "--due-only", "--format", "json"],
        {
          cwd: w.dir,
          env: {
            PATH: process.env.PATH,
            CI: "true",
            VAULT_ADDR: w.vault.address,
            VAULT_TOKEN: w.vault.rootToken,
          },
        },
        (err, stdout, stderr) =>
          resolve({
            code: err ? ((err as { code?: number }).code ?? 1) : 0,
            out: stdout,
            err: stderr,
          }),
      );
    });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { summary: { procured: number; "hand-off-due": number } };
    expect(report.summary.procured).toBe(3);
    expect(report.summary["hand-off-due"]).toBe(1);
    const token = (await entryData(w, "stripe", "billing-charges"))!.token;
    for (const s of [token, CANARY_SECRET, w.vault.rootToken]) expect(r.out).not.toContain(s);
  });
});

describe("progress", () => {
  it("on a terminal, progress goes to stderr and is cleared; stdout holds the report", async () => {
    let out = "";
    let err = "";
    const io: CliIO = {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      interactive: true,
      env: { VAULT_ADDR: w.vault.address, VAULT_TOKEN: w.vault.rootToken },
      cwd: w.dir,
      readStdin: async () => "",
    };
    expect(await procure([w.manifest], io)).toBe(0);
    expect(err).toContain("\r\x1b[Kprocure: 1/4 billing-");
    expect(err).toMatch(/procure: 4\/4 /);
    expect(err.endsWith("\r\x1b[K")).toBe(true);
    expect(out).toMatch(
      /4 needs: 3 procured, 0 not due, 0 rejected, 0 failed, 1 awaiting hand-off/,
    );
    expect(out).not.toContain("\x1b");
  });
});
