import type { Context } from 'koa';
import { AppError, ValidationError } from '../lib/errors';

/** Reads the raw request body up to a limit (webhooks need the exact bytes to check signatures). */
export async function readRawBody(ctx: Context, limitBytes = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new AppError('payload_too_large', `Request body is over ${limitBytes} bytes.`, 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function readJsonBody(ctx: Context, limitBytes?: number): Promise<unknown> {
  if (!ctx.is('application/json')) throw new AppError('unsupported_media_type', 'Send the body as application/json.', 415);
  return parseJsonBody(await readRawBody(ctx, limitBytes));
}

/** A body already read (a signed request's raw bytes) as JSON: invalid JSON is a 400. */
export function parseJsonBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('The body is not valid JSON.');
  }
}
