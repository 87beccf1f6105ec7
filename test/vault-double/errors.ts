/**
 * How a handler answers with an error: Vault's HTTP layer turns these into
 * `{"errors": [...]}` with the status (http/logical.go respondError; logical.ErrorResponse is 400,
 * ErrPermissionDenied 403, ErrUnsupportedPath 404, ErrUnsupportedOperation 405).
 */
export class VaultHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    /** Extra top-level fields some errors carry (e.g. KV v2's 404 for a deleted version). */
    readonly body?: Record<string, unknown>,
  ) {
    super(errors.join("; ") || `HTTP ${status}`);
  }
}

export const badRequest = (msg: string) => new VaultHttpError(400, [msg]);
export const permissionDenied = () => new VaultHttpError(403, ["permission denied"]);
export const notFound = () => new VaultHttpError(404, []);
export const unsupportedPath = () => new VaultHttpError(404, ["unsupported path"]);
export const unsupportedOperation = () => new VaultHttpError(405, ["unsupported operation"]);
