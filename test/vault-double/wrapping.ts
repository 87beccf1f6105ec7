/**
 * Response wrapping (vault/wrapping.go, api-docs/system/wrapping-*): an answer stored behind a
 * single-use token with the wrap TTL; sys/wrapping/unwrap hands it back once (with the wrapping
 * token as X-Vault-Token, or in the body), sys/wrapping/lookup tells its creation path and TTL,
 * sys/wrapping/wrap wraps arbitrary data.
 */
import { rfc3339 } from "./clock";
import { type Ctx, type RouteTable, str } from "./context";
import { badRequest } from "./errors";
import type { VaultCore, VaultDoubleServer } from "./server";

export function wrappingRoutes(
  core: VaultCore,
  server: VaultDoubleServer,
  routes: RouteTable,
): void {
  const live = (id: string) => {
    const t = core.tokens.get(id);
    const w = server.wrapped.get(id);
    if (!t || !w) {
      server.wrapped.delete(id);
      return undefined;
    }
    return w;
  };
  routes.set("/sys/wrapping/unwrap", {
    write: (ctx: Ctx) => {
      const id = str(ctx, "token") || ctx.token?.id || "";
      const w = live(id);
      if (!w) throw badRequest("wrapping token is not valid or does not exist");
      server.wrapped.delete(id);
      core.tokens.revokeTree(id);
      return w.answer;
    },
  });
  const lookup = (ctx: Ctx) => {
    const id = str(ctx, "token") || (typeof ctx.raw.token === "string" ? ctx.raw.token : "");
    const w = live(id);
    if (!w) throw badRequest("wrapping token is not valid or does not exist");
    return {
      data: {
        creation_path: w.creationPath,
        creation_time: rfc3339(w.creationTime),
        creation_ttl: w.ttl,
      },
    };
  };
  routes.set("/sys/wrapping/lookup", { read: lookup, write: lookup });
  routes.set("/sys/wrapping/wrap", {
    write: (ctx: Ctx) => {
      if (ctx.wrapTtl <= 0)
        throw badRequest("use of this endpoint requires a wrap TTL (X-Vault-Wrap-TTL)");
      return { data: { ...ctx.raw } };
    },
  });
}
