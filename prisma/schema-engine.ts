import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

export type { SchemaEngine };

/**
 * Prisma's schema engine compiled to WebAssembly, talking to the database through a JS driver adapter.
 * Prisma's CLI would download a native engine for `migrate`, which cannot happen offline.
 */
export interface LoadedEngine {
  engine: SchemaEngine;
  /** The Rust panic message, if the engine panicked (its errors then only say `unreachable`). */
  panicMessage(): string | undefined;
  /** Frees the engine and cancels the timers it left armed. Call once every operation has settled. */
  close(): void;
}

// The package exports no ./package.json; its main entry sits beside the glue file and the .wasm.
const PKG_DIR = path.dirname(require.resolve('@prisma/schema-engine-wasm'));

// Neither tsconfig's lib (ES2022) nor @types/node 20 declares WebAssembly; these are the members used here.
type WasmModule = object & { readonly __brand?: 'WebAssembly.Module' };
interface WasmInstance {
  exports: Record<string, unknown>;
}
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Promise<WasmInstance>;
};

type Glue = Record<string, unknown> & {
  __wbg_set_wasm(exports: WasmInstance['exports']): void;
  SchemaEngine: { new: (opts: { datamodels: undefined }, log: (line: string) => void, adapter: unknown) => Promise<SchemaEngine> };
};

// The package is ESM-only, and jest (without --experimental-vm-modules) can neither require() nor import()
// ESM. Its glue file imports nothing and exports only `function`/`class` declarations, so it is evaluated
// as a function body, in the caller's realm (the glue checks the adapter's promises with `instanceof`).
// It is evaluated once per engine, so every engine gets its own module state.
let glueBody: string | undefined;
function evaluateGlue(engineGlobal: typeof globalThis): Glue {
  if (glueBody === undefined) {
    const file = path.join(PKG_DIR, 'schema_engine_bg.js');
    const names: string[] = [];
    const body = readFileSync(file, 'utf8').replace(/^export (function|class) ([\w$]+)/gm, (_m, kind: string, name: string) => {
      names.push(name);
      return `${kind} ${name}`;
    });
    if (/^\s*(export|import)\b/m.test(body) || !names.includes('SchemaEngine')) {
      throw new Error(`Unexpected module syntax in ${file}: prisma/schema-engine.ts needs updating for this engine version.`);
    }
    glueBody = `${body}\nreturn { ${names.join(', ')} };\n//# sourceURL=${file}`;
  }
  return new Function('global', 'module', glueBody)(engineGlobal, { require }) as Glue;
}

let compiled: Promise<WasmModule> | undefined;
function compileWasm(): Promise<WasmModule> {
  compiled ??= WebAssembly.compile(readFileSync(path.join(PKG_DIR, 'schema_engine_bg.wasm')));
  return compiled;
}

export async function loadSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  onLog: (line: string) => void = () => {},
): Promise<LoadedEngine> {
  let panic: string | undefined;
  // The glue reports panics to `global.PRISMA_WASM_PANIC_REGISTRY`. A per-engine global inheriting from
  // globalThis keeps that off the real global. A panic inside a promise callback is thrown from a
  // microtask and ends the process before any caller sees it, so the message also goes to stderr.
  const engineGlobal = Object.create(globalThis, {
    PRISMA_WASM_PANIC_REGISTRY: {
      value: {
        set_message(message: string) {
          panic = message;
          process.stderr.write(`Prisma schema engine panicked: ${message}\n`);
        },
      },
    },
  }) as typeof globalThis;
  const glue = evaluateGlue(engineGlobal);

  // The engine arms a 10 s timer per call (the timeout on its advisory lock) and never clears it once the
  // lock is taken, which kept a CLI or a jest worker alive for 10 s. Track every timer it sets, so close()
  // can cancel whatever is still pending.
  const timers = new Set<NodeJS.Timeout>();
  const imports: Record<string, unknown> = { ...glue };
  for (const key of Object.keys(glue).filter((k) => k.startsWith('__wbg_setTimeout_'))) {
    imports[key] = (callback: () => void, ms: number) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        callback();
      }, ms >>> 0);
      timers.add(timer);
      return timer;
    };
  }
  const cancelTimers = () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };

  const instance = await WebAssembly.instantiate(await compileWasm(), { './schema_engine_bg.js': imports });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();

  let engine: SchemaEngine;
  try {
    engine = await glue.SchemaEngine.new({ datamodels: undefined }, onLog, bindMigrationAwareSqlAdapterFactory(adapterFactory));
  } catch (error) {
    cancelTimers();
    throw error;
  }
  return {
    engine,
    panicMessage: () => panic,
    close() {
      try {
        if (panic === undefined) engine.free(); // after a panic the instance is unusable; let GC have it
      } finally {
        cancelTimers();
      }
    },
  };
}
