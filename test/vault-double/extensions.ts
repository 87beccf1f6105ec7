/** Behaviour added on top of the core: auth methods, audit devices, response wrapping. */
import type { VaultCore, VaultDoubleServer } from "./server";

export interface AuditAccess {
  lines(devicePath?: string): Record<string, unknown>[];
}

export function installExtensions(_core: VaultCore, _server: VaultDoubleServer): AuditAccess {
  return { lines: () => [] };
}
