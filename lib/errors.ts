/**
 * Errors with a stable `code` that callers (the API's error middleware, the bot's dispatcher) map to
 * responses. Messages are written for the person who will read them.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A business refusal (out of stock, a claim already decided, a payment in another state…): a stable
 * `code`, an HTTP status (409 unless said), and `failureType`, the ApplicationFailure type activities raise
 * for it, non-retryable since a retry cannot change the answer. Each feature names its own subclass.
 */
export class RefusalError extends AppError {
  constructor(
    code: string,
    readonly failureType: string,
    message: string,
    status = 409,
    details?: unknown,
  ) {
    super(code, message, status, details);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('invalid_input', message, 400, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'A valid API token is required (Authorization: Bearer <token>).') {
    super('unauthorized', message, 401);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('forbidden', message, 403);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message, 404);
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
