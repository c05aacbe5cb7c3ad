/** A dependency the API needs to serve requests; /ready names every one that fails (the reason is logged, not shown). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<unknown>;
}

export interface ReadinessResult {
  ready: boolean;
  /** `error`: why a check failed, for the log only (a database error can name hosts, users, URLs). */
  checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

export async function runReadinessChecks(checks: readonly ReadinessCheck[], timeoutMs = 2000): Promise<ReadinessResult> {
  const entries = await Promise.all(
    checks.map(async ({ name, check }) => {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [name, { ok: true, ms: Date.now() - started }] as const;
      } catch (err) {
        return [name, { ok: false, error: err instanceof Error ? err.message : String(err), ms: Date.now() - started }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
}
