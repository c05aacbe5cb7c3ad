import type { Context, Next } from 'koa';
import { ZodError } from 'zod';
import { AppError } from '../lib/errors';
import { describeIssues } from '../lib/requests/issues';

/**
 * The one place that turns errors into responses: typed errors keep their code and status, invalid input
 * is a 400 naming the fields, anything unexpected is a 500 whose details go to the log, not the client.
 */
export async function errorMiddleware(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404;
      ctx.body = { error: { code: 'not_found', message: `No route for ${ctx.method} ${ctx.path}.` } };
    }
  } catch (err) {
    if (err instanceof AppError) {
      ctx.status = err.status;
      ctx.body = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
    } else if (err instanceof ZodError) {
      ctx.status = 400;
      ctx.body = {
        error: {
          code: 'invalid_input',
          message: describeIssues(err.issues),
        },
      };
    } else {
      ctx.state.log?.error({ err }, 'request failed');
      ctx.status = 500;
      ctx.body = { error: { code: 'internal', message: `Internal error (request ${String(ctx.state.requestId)}).` } };
    }
  }
}
