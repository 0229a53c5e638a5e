/**
 * Sign-in links carry the token in the URL fragment (`#token=…`): a fragment is
 * never sent to the server, never logged by proxies, and is stripped from the
 * address bar as soon as it is read, so it does not linger in history.
 */

/** The token in a fragment such as `#token=thr_…`, if any. */
export function tokenFromFragment(hash: string): string | undefined {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('token')?.trim();
  return token === undefined || token === '' ? undefined : token;
}

/** Reads the token from the address bar's fragment and removes the fragment. */
export function takeTokenFromAddressBar(): string | undefined {
  const token = tokenFromFragment(window.location.hash);
  if (token !== undefined) {
    window.history.replaceState(
      window.history.state,
      '',
      window.location.pathname + window.location.search,
    );
  }
  return token;
}
