import { ConnectError } from '@tributary/connect-api';

/** REST-facing failures; the REST layer maps each to its HTTP status in one place. */
export class NotFoundError extends ConnectError {
  constructor(message: string) {
    super(message, { code: 'NOT_FOUND' });
  }
}
export class AlreadyExistsError extends ConnectError {
  constructor(message: string) {
    super(message, { code: 'ALREADY_EXISTS' });
  }
}
export class BadRequestError extends ConnectError {
  constructor(message: string) {
    super(message, { code: 'BAD_REQUEST' });
  }
}
/** The cluster is rebalancing or the leader is unknown; the client should retry. */
export class ConflictError extends ConnectError {
  constructor(message: string) {
    super(message, { code: 'CONFLICT', retriable: true });
  }
}
export class ForbiddenError extends ConnectError {
  constructor(message: string) {
    super(message, { code: 'FORBIDDEN' });
  }
}
