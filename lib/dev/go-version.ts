import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * The Temporal CLI's go.mod asks for Go 1.25. Go 1.21 and later fetch a newer toolchain by themselves
 * (unless GOTOOLCHAIN=local forbids it); an older Go fails with a message that does not say what to do.
 */
const GO_NEEDED = { major: 1, minor: 25 };
const SELF_UPGRADING = { major: 1, minor: 21 };

/** `go version` output → [major, minor], undefined when it is not recognisable. */
function parseGoVersion(output: string): [number, number] | undefined {
  const m = /\bgo(\d+)\.(\d+)/.exec(output);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Why this Go cannot build the CLI (one sentence naming the fix), or undefined when it can. */
function goVersionTooOld(version: [number, number], env: NodeJS.ProcessEnv): string | undefined {
  const below = (v: [number, number], need: { major: number; minor: number }) => v[0] < need.major || (v[0] === need.major && v[1] < need.minor);
  if (!below(version, GO_NEEDED)) return undefined;
  const have = `Go ${version[0]}.${version[1]}`;
  const fix = `install Go ${GO_NEEDED.major}.${GO_NEEDED.minor} or newer (https://go.dev/dl/), or set TEMPORAL_CLI to a temporal binary`;
  if (below(version, SELF_UPGRADING)) return `${have} is too old to build the Temporal CLI (it needs ${GO_NEEDED.major}.${GO_NEEDED.minor}): ${fix}.`;
  if (env.GOTOOLCHAIN?.trim() === 'local') {
    return `${have} with GOTOOLCHAIN=local cannot fetch the Go ${GO_NEEDED.major}.${GO_NEEDED.minor} toolchain the Temporal CLI needs: unset GOTOOLCHAIN, or ${fix}.`;
  }
  return undefined; // it fetches the toolchain it needs
}

/** Runs `go version`; the problem sentence, or undefined when this Go will do. */
export async function goVersionProblem(go: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  let output: string;
  try {
    output = (await promisify(execFile)(go, ['version'], { env, timeout: 30_000 })).stdout;
  } catch (err) {
    return `\`${go} version\` failed (${(err as Error).message.trim()}): check the Go installation, or set TEMPORAL_CLI to a temporal binary.`;
  }
  const version = parseGoVersion(output);
  if (!version) return undefined; // an unfamiliar format (a development build): let go install decide
  return goVersionTooOld(version, env);
}
