import { useCallback, useState } from 'react';
import type { ZodType } from 'zod';
import { describeIssues } from '../../../lib/requests/issues';
import { ErrorMessage } from './ui';

/**
 * One form's or button's request: `run` clears the last outcome, marks it busy, and keeps what the action
 * says it did, or the API's message as the API said it.
 */
export function useAction(): { error: string | null; done: string | null; busy: boolean; run: (action: () => Promise<string>) => Promise<void> } {
  const [state, setState] = useState<{ error: string | null; done: string | null; busy: boolean }>({ error: null, done: null, busy: false });
  const run = useCallback(async (action: () => Promise<string>) => {
    setState({ error: null, done: null, busy: true });
    try {
      const done = await action();
      setState({ error: null, done, busy: false });
    } catch (err) {
      setState({ error: err instanceof Error ? err.message : String(err), done: null, busy: false });
    }
  }, []);
  return { ...state, run };
}

/**
 * A request body checked with the schema the API validates it with, as the wire carries it (a number the
 * field could not read, NaN, travels as null), then with the rule across fields the API applies next
 * (`problem`, a shared `…Problem()` verdict): refused input throws the words the API would answer, before
 * anything is sent (the API still checks: a form is client code).
 */
export function checked<T>(schema: ZodType, body: T, problem: string | null = null): T {
  const result = schema.safeParse(JSON.parse(JSON.stringify(body)));
  if (!result.success) throw new Error(describeIssues(result.error.issues));
  if (problem) throw new Error(problem);
  return body;
}

/** What an action did (a status) or what the API refused (an alert). */
export function Outcome({ error, done }: { error: string | null; done: string | null }) {
  return (
    <>
      <ErrorMessage error={error} />
      {done && <p role="status">{done}</p>}
    </>
  );
}

/** Cursor paging: the cursors of the pages seen so far, the last one this page's. */
export function useCursors(): { cursor: string | undefined; page: number; next: (c: string) => void; back: () => void; reset: () => void } {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    next: (c) => setCursors([...cursors, c]),
    back: () => setCursors(cursors.slice(0, -1)),
    reset: () => setCursors([undefined]),
  };
}

export function Pager({ paging, next, label, words = ['Previous', 'Next'] }: { paging: ReturnType<typeof useCursors>; next: string | null | undefined; label: string; words?: [string, string] }) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={paging.page < 2} onClick={paging.back}>
        {words[0]}
      </button>
      <span>Page {paging.page}</span>
      <button type="button" disabled={!next} onClick={() => next && paging.next(next)}>
        {words[1]}
      </button>
    </nav>
  );
}

/** The fields of `after` that differ from `before`: what a PATCH sends. */
export function changedFields<T extends object>(before: T, after: T): Partial<T> {
  return Object.fromEntries(Object.entries(after).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify((before as Record<string, unknown>)[k]))) as Partial<T>;
}

/** A whole number field: empty is null (unlimited, none); the API words any refusal. */
export function optionalInt(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

export const optionalText = (text: string): string | null => text.trim() || null;
