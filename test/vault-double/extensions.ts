/** Behaviour added on top of the core: auth methods, audit devices, response wrapping. */
import { approleRoutes } from "./auth-approle";
import { authRoleRoutes } from "./auth-roles";
import { AuditDevices, auditRoutes } from "./audit";
import type { VaultCore, VaultDoubleServer } from "./server";
import { wrappingRoutes } from "./wrapping";

export interface AuditAccess {
  lines(devicePath?: string): Record<string, unknown>[];
}

export function installExtensions(core: VaultCore, server: VaultDoubleServer): AuditAccess {
  const onUnmount = (hook: Parameters<VaultCore["authUnmountHooks"]["push"]>[0]) =>
    core.authUnmountHooks.push(hook);
  approleRoutes(
    {
      clock: core.clock,
      tokens: core.tokens,
      mountOf: (ctx) => core.authMounts.get(ctx.mountPath.slice("auth/".length))!,
      onUnmount,
    },
    core.routes,
  );
  authRoleRoutes(onUnmount, core.routes);
  const audit = new AuditDevices(core);
  auditRoutes(audit, core.routes);
  wrappingRoutes(core, server, core.routes);
  return { lines: (p) => audit.lines(p) };
}
