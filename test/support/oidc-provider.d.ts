/**
 * The part of oidc-provider's API the loopback OAuth test server uses (the package ships no type
 * declarations and @types/oidc-provider is not installed).
 */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  interface OidcContext {
    readonly path: string;
    status: number;
    body: unknown;
    readonly oidc: {
      readonly params?: Record<string, unknown>;
      readonly client?: unknown;
    };
  }

  interface ClientCredentialsToken {
    scope?: string;
    readonly expiration: number;
    save(): Promise<string>;
  }

  class OIDCError extends Error {
    constructor(description?: string, detail?: string);
  }

  export const errors: {
    InvalidGrant: typeof OIDCError;
    InvalidScope: typeof OIDCError;
    InvalidClient: typeof OIDCError;
  };

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: OidcContext, next: () => Promise<void>) => Promise<void>): void;
    on(event: string, listener: (...args: unknown[]) => void): this;
    registerGrantType(
      name: string,
      handler: (ctx: OidcContext) => Promise<void>,
      params?: string | readonly string[],
    ): void;
    readonly ClientCredentials: {
      new (init: { client: unknown; scope?: string }): ClientCredentialsToken;
      find(value: string): Promise<ClientCredentialsToken | undefined>;
    };
  }
}
