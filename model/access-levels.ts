/**
 * What each access level may do in Vault. The grant plan uses these sets when a path declares no
 * capabilities; policy rule TW002 uses the same sets to judge capabilities that were declared.
 */
import type { AccessLevel, Capability } from "./types";

const READ: readonly Capability[] = ["read", "list"];
const WRITE: readonly Capability[] = ["create", "read", "update", "patch", "delete", "list"];
const ADMIN: readonly Capability[] = [...WRITE, "sudo"];

export const ACCESS_CAPABILITIES: Readonly<Record<AccessLevel, readonly Capability[]>> = {
  read: READ,
  write: WRITE,
  admin: ADMIN,
};

export const ACCESS_LEVELS: readonly AccessLevel[] = ["read", "write", "admin"];
