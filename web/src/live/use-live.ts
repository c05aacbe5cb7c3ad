import { createContext, useContext, useEffect, useRef } from 'react';

/** Subscribes to live event kinds of the open guild; returns the unsubscribe. */
export type Subscribe = (kinds: readonly string[], listener: () => void) => () => void;

export const LiveContext = createContext<Subscribe>(() => () => {});

/**
 * Calls `onChange` whenever the guild's live stream reports one of `kinds`, at most once per `everyMs`:
 * events within that time are answered by one call at its end. Pages reload what they show, so the stream
 * never has to carry whole rows. (Not a debounce: a busy guild sends events without pause, and a debounce
 * would then never call.)
 */
export function useLive(kinds: readonly string[], onChange: () => void, everyMs = 150): void {
  const subscribe = useContext(LiveContext);
  const latest = useRef(onChange);
  latest.current = onChange;
  const key = kinds.join(',');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = subscribe(key.split(','), () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        latest.current();
      }, everyMs);
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [subscribe, key, everyMs]);
}
