/** A problem with how the command was called: exit code 2, with a hint where to read more. */
export class UsageError extends Error {
  /** The command whose help explains the fix, e.g. "validate" or "plan explain"; "" for the top level. */
  readonly command: string;

  constructor(message: string, command = '') {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}
