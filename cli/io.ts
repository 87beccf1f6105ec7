/**
 * What every command gets: where to write, and whether a person is watching. Commands never touch
 * process.stdout/stderr directly, so tests can run them in-process and read what they printed.
 */
export interface CliIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** True when stderr is a terminal and CI is not set: progress may be shown there. */
  readonly interactive: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Reads all of standard input (secrets are only ever taken from stdin or the environment). */
  readonly readStdin: () => Promise<string>;
}

export function processIO(): CliIO {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
    env: process.env,
    cwd: process.cwd(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

/** A command's entry point: returns the exit code (0 clean, 1 findings, 2 usage or input error). */
export type Command = (argv: string[], io: CliIO) => Promise<number>;

const stdinRead = new WeakMap<CliIO, Promise<string>>();

/**
 * The text of an input given as `-`: standard input, read once per run however many times it is
 * asked for (a command reading `-` twice would otherwise get an empty second read).
 */
export function readInputText(io: CliIO): Promise<string> {
  let text = stdinRead.get(io);
  if (!text) {
    text = io.readStdin();
    stdinRead.set(io, text);
  }
  return text;
}
