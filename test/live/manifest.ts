/**
 * The live tier's manifest: every auth kind, a third-party need, two token needs of which one
 * rotates every few minutes. All names carry a per-run prefix so runs never collide in a shared
 * Vault. (A plain module, so the ordinary test suite can check the manifest is valid.)
 */

/** Prefix of every name a run creates in Vault. */
export function livePrefix(id: string): string {
  return `twlive${id}`;
}

/** The auth mounts the live test enables for itself (in real use they are the platform team's). */
export function liveMounts(prefix: string): { approle: string; kubernetes: string; jwt: string } {
  return { approle: `${prefix}-approle`, kubernetes: `${prefix}-k8s`, jwt: `${prefix}-jwt` };
}

/** Short enough to wait for in the rotation test, long enough for up → refresh → preview before. */
export const ROTATING_PERIOD = "3m";

export function liveManifestYaml(prefix: string): string {
  const P = prefix;
  const mounts = liveMounts(P);
  const need = (name: string, consumer: string, provider: string, body: string, rotation = "7d") =>
    [
      `  - name: ${name}`,
      `    consumer: ${consumer}`,
      `    provider: ${provider}`,
      body,
      "    access: read",
      "    ttl: 15m",
      "    maxTtl: 1h",
      `    rotation: ${rotation}`,
      "    owner: live@example.com",
      "    justification: live test",
      "    expires: 2099-01-01",
    ].join("\n");
  const vaultPath = (p: string) =>
    `    paths: [{ path: "secret/data/${P}/${p}", capabilities: [read] }]`;
  return [
    "version: 1",
    "vault:",
    `  kvMount: ${P}-tokens`,
    `  authMounts: { approle: ${mounts.approle}, kubernetes: ${mounts.kubernetes}, jwt: ${mounts.jwt} }`,
    "consumers:",
    `  - { name: ${P}-app, owner: live@example.com, auth: approle }`,
    `  - name: ${P}-web`,
    "    owner: live@example.com",
    "    auth: kubernetes",
    "    kubernetes: { serviceAccounts: [web], namespaces: [prod] }",
    `  - name: ${P}-ci`,
    "    owner: live@example.com",
    "    auth: jwt",
    "    jwt: { boundAudiences: [vault], boundClaims: { repository: example-org/live } }",
    `  - { name: ${P}-cron, owner: live@example.com, auth: token }`,
    "providers:",
    "  - { name: vault, kind: vault-token }",
    "  - { name: stripe, kind: static, scopes: [charges:read] }",
    "needs:",
    need(`${P}-app-config`, `${P}-app`, "vault", vaultPath("app")),
    need(`${P}-app-stripe`, `${P}-app`, "stripe", "    scopes: [charges:read]"),
    need(`${P}-web-session`, `${P}-web`, "vault", vaultPath("web")),
    need(`${P}-ci-deploy`, `${P}-ci`, "vault", vaultPath("ci")),
    need(`${P}-cron-report`, `${P}-cron`, "vault", vaultPath("cron"), ROTATING_PERIOD),
    need(`${P}-cron-archive`, `${P}-cron`, "vault", vaultPath("archive")),
    "",
  ].join("\n");
}
