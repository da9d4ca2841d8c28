/**
 * An error caused by the user's input (flag, file, config). The CLI prints `message` on one line and exits 2.
 * Domain code throws it; it never prints or exits itself.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    /** File and 1-based line the error is about, when there is one. */
    readonly where?: { file: string; line?: number },
  ) {
    super(message);
  }

  /** One line: `file:line: message` when a location is known. */
  oneLine(): string {
    const prefix = this.where ? `${this.where.file}${this.where.line ? `:${this.where.line}` : ''}: ` : '';
    return (prefix + this.message).replace(/\s*\n\s*/g, ' ');
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** A non-fatal problem met while scanning (skipped file, unknown kind); reported, never thrown. */
export interface ScanWarning {
  file?: string;
  line?: number;
  message: string;
}
