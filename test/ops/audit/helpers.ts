/**
 * Shared set-up for the audit tests: synthetic Vault audit logs for the fixture manifest, written
 * into a fresh temporary directory, with the generator's record of what it put there (the truth
 * the analysis is checked against).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadManifest, type Manifest } from "../../../model";
import {
  generateAuditLogs,
  type GenAuditOptions,
  type GenTruth,
} from "../../../bench/gen-audit-log";

export const FIXTURE_MANIFEST = resolve(__dirname, "fixtures/needs.yaml");
export const END = "2026-12-01T00:00:00.000Z";
export const END_MS = Date.parse(END);

export function fixtureManifest(): Manifest {
  return loadManifest(FIXTURE_MANIFEST);
}

export interface Generated {
  readonly dir: string;
  readonly truth: GenTruth;
  /** Every file written, all devices. */
  readonly files: string[];
  readonly cleanup: () => void;
}

export function generate(opts: Partial<GenAuditOptions> = {}): Generated {
  const dir = mkdtempSync(join(tmpdir(), "tw-audit-"));
  const truth = generateAuditLogs({
    manifest: fixtureManifest(),
    outDir: dir,
    endMs: END_MS,
    days: 30,
    requests: 3000,
    seed: 7,
    ...opts,
  });
  return {
    dir,
    truth,
    files: Object.values(truth.files).flat(),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Where a test keeps what it produced for people to look at (screenshots, reports): outside the
 * repository, in $TW_TEST_OUTPUT or the system temp dir; emptied first.
 */
export function outputDir(name: string): string {
  const base = process.env.TW_TEST_OUTPUT ?? join(tmpdir(), "tokenwarden-test-output");
  const dir = join(base, "audit", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function listFiles(dir: string): string[] {
  return readdirSync(dir).map((f) => join(dir, f));
}
