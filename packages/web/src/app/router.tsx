/**
 * A tiny history router: the dashboard has five pages, so a dependency would
 * weigh more than it saves. The server answers every client route with
 * index.html, so deep links and reloads work.
 */
import { useEffect, useState } from 'react';
import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from 'react';

const NAVIGATE = 'threshold:navigate';

/** Goes to a client route without a reload. */
export function navigate(to: string): void {
  if (to === window.location.pathname + window.location.search) return;
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
  window.scrollTo(0, 0);
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  return {
    path: window.location.pathname,
    query: new URLSearchParams(window.location.search),
  };
}

/** The current location; re-renders on navigation and back/forward. */
export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return location;
}

/** Replaces the query string (filters) without adding history entries. */
export function replaceQuery(query: URLSearchParams): void {
  const text = query.toString();
  window.history.replaceState(null, '', window.location.pathname + (text ? `?${text}` : ''));
  window.dispatchEvent(new Event(NAVIGATE));
}

export type Route =
  | { page: 'launches' }
  | { page: 'launch'; id: string }
  | { page: 'report'; id: string }
  | { page: 'portfolio' }
  | { page: 'plans' }
  | { page: 'plan'; name: string }
  | { page: 'rehearsal' }
  | { page: 'audit' }
  | { page: 'not-found'; path: string };

/** Which page a path shows. */
export function matchRoute(path: string): Route {
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const [first, second] = parts;
  if (parts.length === 0 || (first === 'launches' && parts.length === 1)) {
    return { page: 'launches' };
  }
  if (first === 'launches' && second !== undefined && parts.length === 2) {
    return { page: 'launch', id: second };
  }
  if (first === 'launches' && second !== undefined && parts.length === 3 && parts[2] === 'report') {
    return { page: 'report', id: second };
  }
  if (first === 'portfolio' && parts.length === 1) return { page: 'portfolio' };
  if (first === 'plans' && parts.length === 1) return { page: 'plans' };
  if (first === 'plans' && second !== undefined && parts.length === 2) {
    return { page: 'plan', name: second };
  }
  if (first === 'rehearsal' && parts.length === 1) return { page: 'rehearsal' };
  if (first === 'audit' && parts.length === 1) return { page: 'audit' };
  return { page: 'not-found', path };
}

/** An in-app link: a real <a href> (open in new tab works) that navigates without reload. */
export function Link({
  to,
  children,
  ...rest
}: { to: string; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}

/** Path of a launch's page. */
export const launchPath = (id: string) => `/launches/${encodeURIComponent(id)}`;
/** Path of a launch's printable report. */
export const reportPath = (id: string) => `${launchPath(id)}/report`;
/** Path of a plan's page, optionally at a version. */
export const planPath = (name: string, version?: number) =>
  `/plans/${encodeURIComponent(name)}${version === undefined ? '' : `?version=${version}`}`;
