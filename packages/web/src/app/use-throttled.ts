/**
 * A value that changes at most once per `everyMs` (the latest one wins). The
 * stream can announce a change per look of every launch; the list refetches at
 * a human pace instead.
 */
import { useEffect, useRef, useState } from 'react';

export function useThrottled<T>(value: T, everyMs: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = last.current + everyMs - Date.now();
    if (wait <= 0) {
      last.current = Date.now();
      setShown(value);
      return;
    }
    const timer = setTimeout(() => {
      last.current = Date.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, everyMs]);
  return shown;
}
