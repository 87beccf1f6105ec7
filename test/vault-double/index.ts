/**
 * A Vault API double for tests: a real HTTP server on 127.0.0.1 speaking Vault's HTTP API v1,
 * holding every request to Vault's own OpenAPI description. See README.md for what it models.
 */
import type { Clock } from "./clock";
import {
  type Fault,
  type RequestRecord,
  type VaultDoubleOptions,
  VaultCore,
  VaultDoubleServer,
} from "./server";
import { existsSync } from "node:fs";
import { installExtensions } from "./extensions";
import { OPENAPI_PATH } from "./openapi";

export type { Fault, RequestRecord, VaultDoubleOptions } from "./server";
export type { Clock } from "./clock";

export interface VaultDouble {
  /** "http://127.0.0.1:<port>" */
  readonly address: string;
  /** A root token (policies ["root"], never expires). */
  readonly rootToken: string;
  readonly clock: Clock;
  /** Every request answered, in order. */
  readonly requests: RequestRecord[];
  /** Inject a fault for the next `times` (default 1; Infinity = until clearFaults) matching requests. */
  fault(f: Fault): void;
  clearFaults(): void;
  /** The JSON lines written so far by the file audit device at `path` (sys/audit). */
  auditLines(devicePath?: string): Record<string, unknown>[];
  /** Seal or unseal the whole double (every request but sys/health answers 503 while sealed). */
  setSealed(sealed: boolean): void;
  /** Number of live tokens (root included). */
  tokenCount(): number;
  close(): Promise<void>;
}

/**
 * Why tests that need the double cannot run here, or undefined when they can. The double reads
 * Vault's OpenAPI description from ../shared/vault-openapi/; without it tests skip visibly —
 * except under CI=true, where this says nothing and startVaultDouble fails loudly.
 */
export function vaultDoubleSkipReason(): string | undefined {
  if (existsSync(OPENAPI_PATH) || process.env.CI === "true") return undefined;
  return `Vault's OpenAPI description is missing at ${OPENAPI_PATH}; Vault double tests skipped`;
}

export async function startVaultDouble(opts: VaultDoubleOptions = {}): Promise<VaultDouble> {
  const core = new VaultCore(opts);
  const server = new VaultDoubleServer(core);
  const audit = installExtensions(core, server);
  const address = await server.listen();
  return {
    address,
    rootToken: core.rootToken.id,
    clock: core.clock,
    requests: server.requests,
    fault: (f) => server.fault(f),
    clearFaults: () => server.clearFaults(),
    auditLines: (p) => audit.lines(p),
    setSealed: (s) => {
      core.sealed = s;
    },
    tokenCount: () => {
      core.tokens.sweep();
      return core.tokens.byId.size;
    },
    close: () => server.close(),
  };
}
