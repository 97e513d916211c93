/** A command ending with a specific exit code and one message line (beyond 2, bad input). */
export const EXIT_NO_PEERS = 3;
export const EXIT_STORAGE = 4;

export class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}
