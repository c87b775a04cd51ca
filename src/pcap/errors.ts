/** A capture that cannot be read; `offset` is the byte position in the file where reading stopped. */
export class CaptureError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at byte ${offset})`);
    this.name = 'CaptureError';
  }
}
