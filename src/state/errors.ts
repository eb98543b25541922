// Errors that stop the monitor from starting on a state dir: the CLI prints their message alone
// (no stack), because each says what is wrong and how to fix it.
export class StateRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateRefusedError';
  }
}
