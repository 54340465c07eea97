// Transport-neutral error kinds. Each module's exception carries its own code enum and one of
// these kinds; the HTTP filter maps kinds to statuses and the WebSocket gateway to close codes.
export type AppErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'unavailable' | 'upstream' | 'too_many';

export class AppException extends Error {
  constructor(
    readonly code: string,
    readonly kind: AppErrorKind,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
