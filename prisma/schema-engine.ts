import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

export type { SchemaEngine };

/**
 * Prisma's schema engine compiled to WebAssembly, driven through a JS driver adapter. Prisma's CLI would
 * download a native engine for `migrate`, which cannot happen offline; this needs nothing but npm packages.
 */
export interface LoadedEngine {
  engine: SchemaEngine;
  /** Frees the engine and cancels the timers it left behind. Call once every operation has settled. */
  close(): void;
}

// The package exports no ./package.json; its main entry sits beside the glue and the .wasm.
const PKG_DIR = path.dirname(require.resolve('@prisma/schema-engine-wasm'));

// The package is ESM-only, and jest (without --experimental-vm-modules) can neither require() nor import()
// ESM. Its glue file has no imports and only `export function|class` declarations, so we evaluate it as
// a function body in the caller's realm (the same realm as the adapter's promises, which the glue
// checks with `instanceof`). Evaluated per engine, so every engine gets its own module state.
let glueSource: { body: string; names: string[] } | undefined;
function loadGlueSource(): { body: string; names: string[] } {
  if (glueSource) return glueSource;
  const file = path.join(PKG_DIR, 'schema_engine_bg.js');
  const names: string[] = [];
  const body = readFileSync(file, 'utf8').replace(/^export (function|class) ([\w$]+)/gm, (_m, kind: string, name: string) => {
    names.push(name);
    return `${kind} ${name}`;
  });
  if (/^\s*(export|import)\b/m.test(body) || !names.includes('SchemaEngine')) {
    throw new Error(`Unexpected module syntax in ${file}: the schema-engine loader needs updating for this version.`);
  }
  glueSource = { body: `${body}\nreturn { ${names.join(', ')} };\n//# sourceURL=${file}`, names };
  return glueSource;
}

let compiled: Promise<WebAssembly.Module> | undefined;
function compileWasm(): Promise<WebAssembly.Module> {
  compiled ??= WebAssembly.compile(readFileSync(path.join(PKG_DIR, 'schema_engine_bg.wasm')));
  return compiled;
}

type Glue = Record<string, unknown> & {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
  SchemaEngine: { new: (opts: { datamodels: undefined }, log: (msg: string) => void, adapter: unknown) => Promise<SchemaEngine> };
};

export async function loadSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  onLog: (line: string) => void = () => {},
): Promise<LoadedEngine> {
  const { body } = loadGlueSource();
  let panicMessage: string | undefined;
  // The glue reports Rust panics to `global.PRISMA_WASM_PANIC_REGISTRY`; a per-engine object inheriting
  // from globalThis keeps that out of the real global and lets concurrent engines keep their own.
  const engineGlobal = Object.create(globalThis, {
    PRISMA_WASM_PANIC_REGISTRY: { value: { set_message: (m: string) => { console.error("PANIC", m); panicMessage = m; } } },
  }) as typeof globalThis;
  const glue = new Function('global', 'module', body)(engineGlobal, { require }) as Glue;

  // The engine arms timers (connection/IO timeouts) that outlive the call and would keep the process
  // (or a jest worker) alive for minutes. Track them so close() can cancel whatever is still pending.
  const timers = new Set<NodeJS.Timeout>();
  const imports: Record<string, unknown> = { ...glue };
  for (const key of Object.keys(glue).filter((k) => k.startsWith('__wbg_setTimeout_'))) {
    imports[key] = (cb: () => void, ms: number) => {
      const t = setTimeout(() => {
        timers.delete(t);
        cb();
      }, ms >>> 0);
      timers.add(t);
      return t;
    };
  }
  const instance = await WebAssembly.instantiate(await compileWasm(), { './schema_engine_bg.js': imports });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();

  let engine: SchemaEngine;
  try {
    engine = await glue.SchemaEngine.new({ datamodels: undefined }, onLog, bindMigrationAwareSqlAdapterFactory(adapterFactory));
  } catch (error) {
    for (const t of timers) clearTimeout(t);
    throw withPanic(error, panicMessage);
  }
  return {
    engine: wrapPanics(engine, () => panicMessage),
    close() {
      try {
        engine.free();
      } finally {
        for (const t of timers) clearTimeout(t);
        timers.clear();
      }
    },
  };
}

/** Engine methods reject with an opaque `RuntimeError: unreachable` on a panic; attach the panic text. */
function wrapPanics(engine: SchemaEngine, panic: () => string | undefined): SchemaEngine {
  return new Proxy(engine, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          return result instanceof Promise ? result.catch((e: unknown) => Promise.reject(withPanic(e, panic()))) : result;
        } catch (e) {
          throw withPanic(e, panic());
        }
      };
    },
  });
}

function withPanic(error: unknown, panicMessage: string | undefined): unknown {
  if (panicMessage === undefined) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`Prisma schema engine panicked: ${panicMessage} (${message})`, { cause: error });
}
