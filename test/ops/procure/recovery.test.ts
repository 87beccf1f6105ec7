/**
 * Failures between the steps of a procurement: a lost Vault answer, a concurrent writer, Vault
 * refusing the write, a crash before the metadata write or between revocation and destroy. After
 * each, no token is lost or left unrevoked, and a re-run finishes the job.
 *
 * A crash at a step is simulated by a Vault client that fails that one request (before or after
 * Vault applied it); everything else is the real HTTP exchange with the Vault double and the
 * loopback authorization server.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VaultClient, type VaultResponse } from "../../../vault/client";
import { loadManifest } from "../../../model";
import { runProcurement } from "../../../ops/procure/run";
import { entryData, entryMeta, stackMetadata, startWorld, type World } from "./fixture";

let w: World;
beforeEach(async () => {
  w = await startWorld({ stripeExtra: "    grace: 1h", tokenTtlS: 86400 });
  await stackMetadata(w, "stripe", "billing-charges");
});
afterEach(() => w.close());

type Hook = (method: string, path: string) => Promise<"crash-before" | "crash-after" | void>;

/** A Vault client whose `hook` can fail one request before or after Vault applies it. */
class CrashingClient extends VaultClient {
  constructor(
    address: string,
    token: string,
    private readonly hook: Hook,
  ) {
    super({ address, token, retries: 2, minBackoffMs: 5, maxBackoffMs: 20 });
  }
  override async request(method: string, path: string, body?: unknown): Promise<VaultResponse> {
    const what = await this.hook(method, path);
    if (what === "crash-before") throw new Error("simulated crash before the request");
    const res = await super.request(method, path, body);
    if (what === "crash-after") throw new Error("simulated crash after Vault applied the request");
    return res;
  }
}

async function procure(client?: VaultClient, now?: number, dueOnly = false) {
  return runProcurement({
    dueOnly,
    manifest: loadManifest(w.manifest),
    vault: client ?? new VaultClient({ address: w.vault.address, token: w.vault.rootToken }),
    needs: ["billing-charges"],
    endpoint: { timeoutMs: 2000, retry: { minBackoffMs: 5, maxBackoffMs: 20 } },
    ...(now !== undefined ? { now: () => now } : {}),
  });
}

const once = (pred: (m: string, p: string) => boolean, what: "crash-before" | "crash-after") => {
  let done = false;
  const hook: Hook = async (m, p) => {
    if (!done && pred(m, p)) {
      done = true;
      return what;
    }
  };
  return hook;
};

describe("a failure between the steps", () => {
  it("a lost answer to the data write: the stored version is recognised as ours, not revoked", async () => {
    const client = new CrashingClient(
      w.vault.address,
      w.vault.rootToken,
      once((m, p) => m === "POST" && p.startsWith("tokens/data/"), "crash-after"),
    );
    const s = await procure(client);
    const o = s.outcomes[0];
    expect(o.action).toBe("procured");
    expect(o.repaired).toContain("version 1 was stored though Vault's answer was lost");
    const token = (await entryData(w, "stripe", "billing-charges"))!.token;
    expect(await w.as.isActive(token)).toBe(true);
    expect(w.as.activeTokenCount()).toBe(1);
  });

  it("a concurrent writer: check-and-set refuses ours; our token is revoked, theirs stays", async () => {
    const other = new VaultClient({ address: w.vault.address, token: w.vault.rootToken });
    const client = new CrashingClient(w.vault.address, w.vault.rootToken, async (m, p) => {
      if (
        m === "POST" &&
        p === "tokens/data/stripe/billing-charges" &&
        !(await entryMeta(w, "stripe", "billing-charges"))?.current_version
      ) {
        // Another writer gets in between this run's read and its write.
        await other.write(p, { options: { cas: 0 }, data: { token: "written-by-someone-else" } });
      }
    });
    const s = await procure(client);
    const o = s.outcomes[0];
    expect(o.action).toBe("failed");
    expect(o.findings[0].message).toMatch(
      /another writer stored version 1 of tokens\/data\/stripe\/billing-charges while this run was procuring \(check-and-set on version 0 refused\); the new token was not stored; the token was revoked at stripe/,
    );
    expect((await entryData(w, "stripe", "billing-charges"))!.token).toBe(
      "written-by-someone-else",
    );
    expect(w.as.activeTokenCount()).toBe(0);
    expect(s.deny).toBe(1);
  });

  it("Vault refusing the write: the new token is revoked, the current one untouched", async () => {
    await procure();
    const current = (await entryData(w, "stripe", "billing-charges"))!.token;
    w.vault.fault({ kind: "status", status: 500, pathPrefix: "tokens/data/", times: 5 });
    const s = await procure();
    w.vault.clearFaults();
    const o = s.outcomes[0];
    expect(o.action).toBe("failed");
    expect(o.findings[0].message).toMatch(
      /storing the new token failed .*500.*; the current token is untouched; the token was revoked at stripe/,
    );
    expect((await entryData(w, "stripe", "billing-charges"))!.token).toBe(current);
    expect(w.as.activeTokenCount()).toBe(1); // only the stored one
  });

  it("Vault unreadable after a failed write: not revoked (it may be stored), and said so", async () => {
    const client = new CrashingClient(w.vault.address, w.vault.rootToken, async (m, p) => {
      if (m === "POST" && p.startsWith("tokens/data/")) w.vault.setSealed(true);
    });
    const s = await procure(client);
    w.vault.setSealed(false);
    expect(s.outcomes[0].findings[0].message).toMatch(
      /Vault could not be read back to tell whether it was stored, so it was not revoked; the next run finds out/,
    );
    // Nothing stored, so the next run procures again; the unconfirmed token expires on its own.
    const again = await procure();
    expect(again.outcomes[0].action).toBe("procured");
  });

  it("a crash before the metadata write: the next run rebuilds it from the version's record", async () => {
    await procure();
    const client = new CrashingClient(
      w.vault.address,
      w.vault.rootToken,
      once((m, p) => m === "POST" && p.startsWith("tokens/metadata/"), "crash-before"),
    );
    const s = await procure(client);
    expect(s.outcomes[0].action).toBe("procured");
    expect(s.outcomes[0].repaired[0]).toMatch(
      /custom metadata not updated .*; the next run rewrites it from version 2/,
    );
    expect((await entryMeta(w, "stripe", "billing-charges"))!.custom_metadata!.version).toBe("1");

    const next = await procure(undefined, Date.now(), true);
    const o = next.outcomes[0];
    expect(o.repaired).toEqual(["custom metadata rewritten for version 2"]);
    const md = (await entryMeta(w, "stripe", "billing-charges"))!;
    const data = (await entryData(w, "stripe", "billing-charges", 2))!;
    expect(md.custom_metadata).toMatchObject({
      version: "2",
      issued: data.issued,
      expires: data.expires,
      managed_by: "tokenwarden",
    });
    // The replaced version keeps its grace period, counted from when version 2 was written.
    expect(o.pending.map((p) => p.version)).toEqual([1]);
  });

  it("a crash between revocation and destroy: the next run revokes again and destroys", async () => {
    await procure();
    await procure();
    const v1 = (await entryData(w, "stripe", "billing-charges", 1))!.token;
    const later = Date.now() + 2 * 3600_000;
    const client = new CrashingClient(
      w.vault.address,
      w.vault.rootToken,
      once((m, p) => m === "POST" && p.startsWith("tokens/destroy/"), "crash-before"),
    );
    const crashed = await procure(client, later);
    expect(crashed.outcomes[0].action).toBe("failed");
    expect(await w.as.isActive(v1)).toBe(false); // revoked before the crash
    expect((await entryData(w, "stripe", "billing-charges", 1))?.token).toBe(v1); // not destroyed yet

    const rerun = await procure(undefined, later, true);
    expect(rerun.outcomes[0].retired).toEqual([
      { version: 1, revocation: "revoked", destroyed: true, early: false },
    ]);
    expect((await entryMeta(w, "stripe", "billing-charges"))!.versions["1"].destroyed).toBe(true);
  });
});
