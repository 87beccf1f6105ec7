/**
 * Procuring 500 tokens against the loopback authorization server, with bounded concurrency,
 * against a bare loop making the same requests with the same concurrency (goal: within 1.5×).
 *
 *   npx vitest bench --run test/ops/procure/procure-500.bench.ts
 *
 * Each run gets a fresh Vault double and authorization server (first procurement of 500 needs of
 * one client-credentials provider). procure: `runProcurement` — the same code path as
 * `tokenwarden procure` without the CLI's rendering. Bare: per need, a plain-fetch POST to the
 * token endpoint (client_secret_basic, the need's scope) and then exactly the Vault requests
 * procure makes for a first procurement (read metadata, write the version with cas 0, read
 * metadata, write custom metadata); the credentials entry is read once, as procure does. Both
 * sides run in this process next to the servers; the ratio of medians over alternating runs is the
 * figure. Request counts are read from the servers, not from the clients.
 */
import { bench, describe } from "vitest";
import { performance } from "node:perf_hooks";
import { writeFileSync } from "node:fs";
import { loadManifest } from "../../../model";
import { runProcurement } from "../../../ops/procure/run";
import { VaultClient } from "../../../vault/client";
import { CANARY_SECRET, startWorld, type World } from "./fixture";

const NEEDS = 500;
const CONCURRENCY = 8;
const RUNS = 3;

function manifestWith(w: World): string {
  const needs: string[] = [];
  for (let i = 0; i < NEEDS; i++)
    needs.push(
      `  - { name: need-${i}, consumer: billing-api, provider: stripe, scopes: [charges:read], access: read, owner: o@example.com, justification: bench, expires: 2027-06-30 }`,
    );
  const file = `${w.dir}/bench-500.yaml`;
  writeFileSync(
    file,
    `version: 1
defaults: { ttl: 1h, maxTtl: 24h, rotation: 30d }
vault: { kvMount: tokens }
consumers:
  - { name: billing-api, owner: o@example.com, auth: approle }
providers:
  - name: stripe
    kind: oauth2-client-credentials
    tokenUrl: ${w.as.tokenUrl}
    revocationUrl: ${w.as.revocationUrl}
    credentials: tw-creds/data/stripe
    scopes: [charges:read]
needs:
${needs.join("\n")}
`,
  );
  return file;
}

interface Figures {
  ms: number;
  tokenRequests: number;
  vaultRequests: number;
  failures: number;
}

async function measureProcure(): Promise<Figures> {
  const w = await startWorld({ tokenTtlS: 86400 });
  try {
    const manifest = loadManifest(manifestWith(w));
    const vaultBefore = w.vault.requests.length;
    const t0 = performance.now();
    const s = await runProcurement({
      manifest,
      vault: new VaultClient({ address: w.vault.address, token: w.vault.rootToken }),
      concurrency: CONCURRENCY,
    });
    const ms = performance.now() - t0;
    return {
      ms,
      tokenRequests: w.as.requests.length,
      vaultRequests: w.vault.requests.length - vaultBefore,
      failures: s.outcomes.filter((o) => o.action !== "procured").length,
    };
  } finally {
    await w.close();
  }
}

async function measureBare(): Promise<Figures> {
  const w = await startWorld({ tokenTtlS: 86400 });
  try {
    const vaultBefore = w.vault.requests.length;
    const v = (path: string, method = "GET", body?: unknown) =>
      fetch(`${w.vault.address}/v1/${path}`, {
        method,
        headers: {
          "x-vault-token": w.vault.rootToken,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).then(async (r) => ({
        status: r.status,
        body: r.status === 204 ? undefined : await r.json(),
      }));
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(w.as.secretClient.clientId)}:${encodeURIComponent(CANARY_SECRET)}`).toString("base64")}`;
    let failures = 0;
    const t0 = performance.now();
    await v("tw-creds/data/stripe");
    let next = 0;
    const worker = async () => {
      while (next < NEEDS) {
        const i = next++;
        const res = await fetch(w.as.tokenUrl, {
          method: "POST",
          headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "client_credentials", scope: "charges:read" }),
        });
        const tok = (await res.json()) as { access_token?: string };
        if (!tok.access_token) failures++;
        const path = `stripe/need-${i}`;
        await v(`tokens/metadata/${path}`);
        const wr = await v(`tokens/data/${path}`, "POST", {
          options: { cas: 0 },
          data: {
            token: tok.access_token,
            token_type: "bearer",
            issued: "x",
            expires: "y",
            scopes_granted: "charges:read",
          },
        });
        if (wr.status !== 200) failures++;
        const md = await v(`tokens/metadata/${path}`);
        await v(`tokens/metadata/${path}`, "POST", {
          custom_metadata: { ...(md.body?.data?.custom_metadata ?? {}), version: "1" },
        });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const ms = performance.now() - t0;
    return {
      ms,
      tokenRequests: w.as.requests.length,
      vaultRequests: w.vault.requests.length - vaultBefore,
      failures,
    };
  } finally {
    await w.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe("procure 500 tokens", () => {
  bench(
    `procure vs bare loop, ${NEEDS} needs, concurrency ${CONCURRENCY}`,
    async () => {
      const p: Figures[] = [];
      const b: Figures[] = [];
      // One warm-up of each (module loading, JIT), not counted.
      await measureBare();
      await measureProcure();
      for (let r = 0; r < RUNS; r++) {
        b.push(await measureBare());
        p.push(await measureProcure());
      }
      const pm = median(p.map((x) => x.ms));
      const bm = median(b.map((x) => x.ms));
      const line = (name: string, xs: Figures[], m: number) =>
        `${name.padEnd(8)} wall ${m.toFixed(0)} ms (runs: ${xs.map((x) => x.ms.toFixed(0)).join(", ")}), ` +
        `token endpoint ${xs[0].tokenRequests} requests, Vault ${xs[0].vaultRequests} requests, failures ${xs[0].failures}`;
      console.log(
        [
          "",
          line("procure", p, pm),
          line("bare", b, bm),
          `ratio procure/bare: ${(pm / bm).toFixed(2)}× (goal ≤ 1.5×)`,
          "",
        ].join("\n"),
      );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
