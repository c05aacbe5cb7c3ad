import { EncryptJWT, errors as joseErrors, jwtDecrypt } from 'jose';
import { z } from 'zod';

/** What the browser carries from /api/auth/login to the callback: sealed (encrypted and authenticated). */
export interface LoginState {
  state: string;
  codeVerifier: string;
  /** Where to land after login: a path on this site. */
  next: string;
}

/** A login must come back from Discord within this time. */
export const LOGIN_COOKIE_SECONDS = 600;
const schema = z.object({ state: z.string().min(1), codeVerifier: z.string().min(43), next: z.string().startsWith('/') });

export async function sealLoginState(key: Uint8Array, login: LoginState, now: Date): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new EncryptJWT({ ...login }).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).setIssuedAt(iat).setExpirationTime(iat + LOGIN_COOKIE_SECONDS).encrypt(key);
}

/** The login state, or null when the cookie is missing, forged or too old. */
export async function openLoginState(key: Uint8Array, sealed: string | undefined, now: Date): Promise<LoginState | null> {
  if (!sealed) return null;
  try {
    const { payload } = await jwtDecrypt(sealed, key, { currentDate: now, keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
    const parsed = schema.safeParse(payload);
    return parsed.success ? parsed.data : null;
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) return null;
    throw err;
  }
}

/** `next` only when it is a path on this site: one leading slash (not `//host`, not `/\\host`), no scheme. */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || !/^\/(?![/\\])/.test(next) || [...next].some((c) => c < ' ') || next.length > 2048) return '/';
  return next;
}
