/**
 * `tokenwarden put`: a person's hand-off of a static token on stdin, stored like a procured one;
 * the token never appears in any output, and never comes from argv.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run as put } from "../../../cli/commands/put";
import { run as procure } from "../../../cli/commands/procure";
import { main } from "../../../cli/main";
import { STATIC_CANARY, entryData, entryMeta, runIn, startWorld, type World } from "./fixture";

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(() => w.close());

const at = (msFromNow: number) =>
  new Date(Date.now() + msFromNow).toISOString().replace(/\.\d+Z$/, "Z");

describe("put", () => {
  it("stores the token from stdin as the next version with its record and metadata", async () => {
    const r = await runIn(
      w,
      "put",
      put,
      [w.manifest, "billing-legacy", "--expires", "2027-01-31"],
      `${STATIC_CANARY}\n`,
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /billing-legacy \(legacy, tokens\/data\/legacy\/billing-legacy\): stored version 1/,
    );
    const data = await entryData(w, "legacy", "billing-legacy");
    expect(data).toMatchObject({
      token: STATIC_CANARY,
      expires: "2027-01-31T00:00:00Z",
      scopes_granted: "read",
    });
    const cm = (await entryMeta(w, "legacy", "billing-legacy"))!.custom_metadata!;
    expect(cm).toMatchObject({
      need: "billing-legacy",
      owner: "team-billing@example.com",
      provider: "legacy",
      version: "1",
      scopes_granted: "read",
      expires: "2027-01-31T00:00:00Z",
      procured_by: "tokenwarden put",
    });
    expect(r.out + r.err).not.toContain(STATIC_CANARY);
    // A fresh hand-off is not due: procure (even without --due-only) does not ask for another.
    const p = await runIn(w, "procure", procure, [w.manifest, "--need", "billing-legacy"]);
    expect(p.code).toBe(0);
    expect(p.out).toMatch(/billing-legacy .*: not due \(version 1\)/);
    expect(p.out).not.toMatch(/TW045/);
  });

  it("the replaced hand-off stays for the grace period, then a scheduled procure destroys it and says to revoke it by hand", async () => {
    await runIn(w, "put", put, [w.manifest, "billing-legacy"], "first-static-token-aaaa\n");
    await runIn(w, "put", put, [w.manifest, "billing-legacy"], `${STATIC_CANARY}\n`);
    expect((await entryData(w, "legacy", "billing-legacy", 1))?.token).toBe(
      "first-static-token-aaaa",
    );
    const early = await runIn(w, "procure", procure, [
      w.manifest,
      "--need",
      "billing-legacy",
      "--due-only",
    ]);
    expect(early.out).toMatch(/version 1 stays readable until/);
    const late = await runIn(w, "procure", procure, [
      w.manifest,
      "--need",
      "billing-legacy",
      "--due-only",
      "--now",
      at(3 * 3600_000), // grace is 2h for this provider
    ]);
    expect(late.code).toBe(0); // a warning, not a failure
    expect(late.out).toMatch(/version 1: destroyed \(not revocable here\)/);
    expect(late.out).toMatch(
      /TW044 warn: billing-legacy: replaced version 1 was destroyed in Vault but not revoked \(legacy has no revocationUrl\): revoke it at legacy by hand/,
    );
    expect((await entryMeta(w, "legacy", "billing-legacy"))!.versions["1"].destroyed).toBe(true);
    expect((await entryData(w, "legacy", "billing-legacy"))?.token).toBe(STATIC_CANARY);
    expect(early.out + late.out + late.err).not.toContain(STATIC_CANARY);
    expect(late.out).not.toContain("first-static-token-aaaa");
  });

  it("refuses a token on the command line without echoing it", async () => {
    const r = await runIn(w, "put", put, [w.manifest, "billing-legacy", STATIC_CANARY]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the token goes on standard input, never on the command line/);
    expect(r.err).not.toContain(STATIC_CANARY);
    const flag = await runIn(w, "put", put, [
      w.manifest,
      "billing-legacy",
      `--token=${STATIC_CANARY}`,
    ]);
    expect(flag.code).toBe(2);
    expect(flag.err).not.toContain(STATIC_CANARY);
    expect(await entryMeta(w, "legacy", "billing-legacy")).toBeUndefined();
  });

  it("empty or multi-line stdin is an input error; nothing is stored", async () => {
    const empty = await runIn(w, "put", put, [w.manifest, "billing-legacy"], "\n");
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/standard input: no token/);
    const two = await runIn(
      w,
      "put",
      put,
      [w.manifest, "billing-legacy"],
      `${STATIC_CANARY}\nmore\n`,
    );
    expect(two.code).toBe(2);
    expect(two.err).not.toContain(STATIC_CANARY);
    expect(await entryMeta(w, "legacy", "billing-legacy")).toBeUndefined();
  });

  it("put is for static providers; procure fetches the others", async () => {
    const r = await runIn(w, "put", put, [w.manifest, "billing-charges"], `${STATIC_CANARY}\n`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /need billing-charges uses provider stripe \(kind oauth2-client-credentials\); put stores hand-offs of static tokens/,
    );
  });

  it("Vault refusing the write: exit 1, said why, token not echoed", async () => {
    w.vault.fault({ kind: "sealed", times: 100, pathPrefix: "tokens/data/" });
    const r = await runIn(w, "put", put, [w.manifest, "billing-legacy"], `${STATIC_CANARY}\n`);
    w.vault.clearFaults();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/TW043 deny: billing-legacy: .*Vault is sealed/);
    expect(r.out + r.err).not.toContain(STATIC_CANARY);
  }, 60_000);

  it("is listed in --help with its usage", async () => {
    let out = "";
    const io = {
      out: (t: string) => void (out += t),
      err: () => undefined,
      interactive: false,
      env: {},
      cwd: w.dir,
      readStdin: async () => "",
    };
    expect(await main(["put", "--help"], io)).toBe(0);
    expect(out).toMatch(/tokenwarden put <access-needs.yaml> <need>/);
    out = "";
    expect(await main(["--help"], io)).toBe(0);
    expect(out).toMatch(/procure +fetch third-party tokens/);
  });
});
