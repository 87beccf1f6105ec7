/**
 * Errors a user can act on. The CLI prints their message on one line and exits 2; anything else
 * that escapes a command is an internal error. Messages name the file, the field and the line.
 */
export class UserError extends Error {
  readonly exitCode = 2;
}

/** Bad command-line usage: the message is followed by the command's usage line. */
export class UsageError extends UserError {}

/** Bad input file: `file:line:col: field: message`. */
export class InputError extends UserError {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}
