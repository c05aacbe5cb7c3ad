import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { findOnPath } from './process';

/**
 * PostgreSQL refuses to run as root. As root (containers, CI), its programs run in a user namespace
 * (util-linux `unshare --user`) as `nobody`, which the kernel maps back to root outside: the files it
 * writes stay owned by the caller, so nothing changes on the machine (no user to create, no chown) and the
 * data directory works wherever root can write. `unshare` execs the program, so the pid stays the same
 * and a parent-death signal set before it still applies. Not root: unchanged.
 */
export async function asUnprivileged(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<[string, string[]]> {
  if (process.getuid?.() !== 0) return [command, args];
  userNamespace ??= findUserNamespace(env);
  const { unshare, uid, gid } = await userNamespace;
  return [unshare, ['--user', `--map-user=${uid}`, `--map-group=${gid}`, '--', command, ...args]];
}
let userNamespace: Promise<{ unshare: string; uid: number; gid: number }> | undefined;

async function findUserNamespace(env: NodeJS.ProcessEnv): Promise<{ unshare: string; uid: number; gid: number }> {
  const refusal = (why: string) =>
    new Error(
      `PostgreSQL refuses to run as root, and running it as nobody in a user namespace is not possible here (${why}). ` +
        `Run Guildflow as a user other than root, or set DATABASE_URL to a PostgreSQL server.`,
    );
  const unshare = await findOnPath('unshare', env);
  if (!unshare) throw refusal('no `unshare` on PATH: install util-linux');
  const { uid, gid } = nobody();
  try {
    await promisify(execFile)(unshare, ['--user', `--map-user=${uid}`, `--map-group=${gid}`, '--', 'true'], { env });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw refusal(`${unshare} --user failed: ${stderr || (err as Error).message}`);
  }
  return { unshare, uid, gid };
}

/** initdb looks its user up by uid, so the uid inside must have a passwd entry: `nobody` has one everywhere. */
function nobody(): { uid: number; gid: number } {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('nobody:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    if (uid && gid) return { uid: Number(uid), gid: Number(gid) };
  } catch {
    // fall through to the usual numbers
  }
  return { uid: 65534, gid: 65534 };
}
