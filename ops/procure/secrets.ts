/**
 * Every secret a procurement run touches (client secrets, private keys, token values) is registered
 * here the moment it is read, and every message that leaves the run passes through `redact`: a
 * provider's error_description or a library's error text can echo what it was sent, and a token
 * must never reach stdout, stderr, a report or a CI log.
 */
export class SecretSet {
  private readonly values = new Set<string>();

  /** Remembers a secret (values shorter than 6 characters are too common to scrub safely). */
  add(value: string | undefined): void {
    if (value !== undefined && value.length >= 6) this.values.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join("[redacted]");
    return out;
  }
}
