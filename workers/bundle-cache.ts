import { createHash } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The workflow bundle kept on disk between starts, so a start does not run webpack (seconds, and a few
 * hundred MB the process keeps afterwards). A bundle is reused while everything webpack read to make it
 * is unchanged: each file it read has the same content (our workflow sources, the SDK's workflow code,
 * every package it pulled in) and each path it probed and did not find is still absent (a new file there
 * could change what an import resolves to). The SDK version (its bundler's settings) is part of the key.
 */
export interface BundleManifest {
  format: 1;
  sdk: string;
  entry: string;
  /** absolute path → sha256 of its content, or "absent" (webpack's entrypoint lives in memory). */
  files: Record<string, string>;
  missing: string[];
}

const BUNDLE_FILE = 'workflow-bundle.js';
const MANIFEST_FILE = 'manifest.json';

/** One cache directory per workflows entry point (tests and benchmarks bundle other entries). */
export function bundleCacheDir(dataDir: string, entry: string): string {
  return path.join(dataDir, 'workflow-bundle', createHash('sha256').update(path.resolve(entry)).digest('hex').slice(0, 16));
}

function temporalSdkVersion(): string {
  const pkg = path.join(path.dirname(require.resolve('@temporalio/worker')), '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

async function fileHash(file: string): Promise<string> {
  try {
    return createHash('sha256').update(await fs.readFile(file)).digest('hex');
  } catch {
    return 'absent';
  }
}

/** The cached bundle's path when it still matches what it was built from, else undefined. */
export async function freshCachedBundle(dir: string, entry: string): Promise<string | undefined> {
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as BundleManifest;
  } catch {
    return undefined;
  }
  if (manifest.format !== 1 || manifest.sdk !== temporalSdkVersion() || manifest.entry !== path.resolve(entry)) return undefined;
  if (manifest.missing.some((p) => existsSync(p))) return undefined;
  const files = Object.entries(manifest.files);
  const hashes = await Promise.all(files.map(([file]) => fileHash(file)));
  if (files.some(([, hash], i) => hashes[i] !== hash)) return undefined;
  const bundle = path.join(dir, BUNDLE_FILE);
  return existsSync(bundle) ? bundle : undefined;
}

/** What webpack read to make a bundle: the files it read and the paths it probed and did not find. */
export interface BundleInputs {
  files: string[];
  missing: string[];
}

/** Writes a bundle built from `entry` and its manifest into `dir`; returns the bundle's path. */
export async function writeCachedBundle(dir: string, entry: string, code: string, inputs: BundleInputs): Promise<string> {
  const files: Record<string, string> = {};
  for (const file of [...inputs.files].sort()) files[file] = await fileHash(file);
  const manifest: BundleManifest = { format: 1, sdk: temporalSdkVersion(), entry: path.resolve(entry), files, missing: [...inputs.missing].sort() };
  await fs.mkdir(dir, { recursive: true });
  // Bundle first, manifest last, each renamed into place: a reader never pairs a new manifest with an old
  // bundle, and two processes building at once both leave a whole pair.
  const bundle = path.join(dir, BUNDLE_FILE);
  await writeAtomically(bundle, code);
  await writeAtomically(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
  return bundle;
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, content);
  await fs.rename(temp, file);
}
