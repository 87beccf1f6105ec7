/**
 * A small, strict argument parser: known flags only, values after `--flag value` or `--flag=value`,
 * repeatable flags collected in order. Unknown flags are usage errors, never silently ignored.
 */
import { UsageError } from "../errors";

export interface FlagSpec {
  /** Takes a value (otherwise boolean). */
  readonly value?: boolean;
  /** May be given several times (values collected). */
  readonly repeat?: boolean;
  /** One-letter alias, e.g. "d" for --data. */
  readonly short?: string;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string[]>;
  has(name: string): boolean;
  /** Last value given for a flag, or the fallback. */
  get(name: string, fallback?: string): string | undefined;
  all(name: string): string[];
}

export function parseArgs(
  argv: readonly string[],
  spec: Readonly<Record<string, FlagSpec>>,
): ParsedArgs {
  const byShort = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.short) byShort.set(s.short, name);
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
    } else if (a.length === 2 && a.startsWith("-") && a !== "-") {
      name = byShort.get(a[1]);
      if (!name) throw new UsageError(`unknown flag ${a}`);
    } else {
      positionals.push(a);
      continue;
    }
    const s = spec[name];
    if (!s) throw new UsageError(`unknown flag --${name}`);
    let value = "true";
    if (s.value) {
      if (inline !== undefined) value = inline;
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new UsageError(`--${name} needs a value`);
    } else if (inline !== undefined) {
      throw new UsageError(`--${name} takes no value`);
    }
    const list = flags.get(name) ?? [];
    if (!s.repeat) list.length = 0;
    list.push(value);
    flags.set(name, list);
  }
  return {
    positionals,
    flags,
    has: (n) => flags.has(n),
    get: (n, fallback) => flags.get(n)?.at(-1) ?? fallback,
    all: (n) => flags.get(n) ?? [],
  };
}

/** Validates a `--format` value against the formats a command supports. */
export function formatFlag<T extends string>(
  args: ParsedArgs,
  allowed: readonly T[],
  fallback: T,
): T {
  const f = args.get("format", fallback) as T;
  if (!allowed.includes(f))
    throw new UsageError(`--format must be one of ${allowed.join(", ")}; got "${f}"`);
  return f;
}
