import { createContext, useContext, useEffect, useRef } from 'react';

/** Subscribes to live event kinds of the open guild; returns the unsubscribe. */
export type Subscribe = (kinds: readonly string[], listener: () => void) => () => void;

export const LiveContext = createContext<Subscribe>(() => () => {});

/**
 * Calls `onChange` (debounced) whenever the guild's live stream reports one of `kinds`: pages reload
 * what they show, so the stream never has to carry whole rows.
 */
export function useLive(kinds: readonly string[], onChange: () => void): void {
  const subscribe = useContext(LiveContext);
  const latest = useRef(onChange);
  latest.current = onChange;
  const key = kinds.join(',');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = subscribe(key.split(','), () => {
      clearTimeout(timer);
      timer = setTimeout(() => latest.current(), 150);
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [subscribe, key]);
}
