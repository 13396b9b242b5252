/**
 * The sign-in shared by every page: a bearer token kept in this tab's session storage only.
 * `npm start` prints a link with the token in the URL fragment (`/#token=…`): browsers never send
 * fragments to servers, so it reaches no log; the page moves it into storage and drops it from
 * the address bar at once.
 */

const TOKEN_KEY = 'upload-service.token';
const listeners = new Set<(token: string) => void>();

/** What a token says about itself (unverified: only for display; the server decides). */
export interface TokenClaims {
  sub?: string;
  role?: string;
  exp?: number;
}

/** Takes a `#token=…` fragment into session storage and removes it from the address bar. */
export function adoptTokenFromFragment(): void {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = fragment.get('token');
  if (token === null) return;
  setToken(token);
  fragment.delete('token');
  const rest = fragment.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}

export function getToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** Stores the token (pasted with or without "Bearer ") and tells every listener. */
export function setToken(raw: string): void {
  const token = raw
    .trim()
    .replace(/^Bearer\s+/i, '')
    .trim();
  if (token === getToken()) return;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  for (const listener of listeners) listener(token);
}

/** Calls `listener` with the new token whenever it changes. */
export function onTokenChange(listener: (token: string) => void): void {
  listeners.add(listener);
}

/** The token's claims, or null when it is not a JWT. */
export function peekClaims(token: string): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const binary = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const claims: unknown = JSON.parse(json);
    return claims && typeof claims === 'object' ? (claims as TokenClaims) : null;
  } catch {
    return null;
  }
}

/** "alice (USER)" for a token's claims. */
export function describeClaims(claims: TokenClaims): string {
  const who = typeof claims.sub === 'string' ? claims.sub : 'an unknown user';
  const role = typeof claims.role === 'string' ? claims.role : 'USER';
  return `${who} (${role})`;
}
