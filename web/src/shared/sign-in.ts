import { el } from './format';
import {
  adoptTokenFromFragment,
  describeClaims,
  getToken,
  onTokenChange,
  peekClaims,
  setToken,
} from './session';

/** What a page does with the sign-in box once it is mounted. */
export interface SignIn {
  /** After the server answered with the current token: accepted or refused. */
  markVerdict(accepted: boolean): void;
}

/**
 * Renders the sign-in box (the same on every page) into `container`: a token field kept in
 * session storage, a Forget button, and a status line that says who the token names.
 */
export function mountSignIn(
  container: HTMLElement,
  options: { heading: string; needsAdmin?: boolean },
): SignIn {
  adoptTokenFromFragment();
  // The printed link opened in a tab already on this page changes only the fragment.
  window.addEventListener('hashchange', adoptTokenFromFragment);
  const input = el('input', {
    id: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'off',
    'aria-describedby': 'token-hint token-status',
    placeholder: 'eyJhbGciOi…',
  });
  const forget = el('button', { type: 'button', id: 'token-forget', class: 'secondary' }, 'Forget');
  const status = el('p', {
    id: 'token-status',
    class: 'token-status',
    role: 'status',
    'aria-live': 'polite',
  });
  container.append(
    el('h2', { id: 'token-heading' }, options.heading),
    // No name attributes: nothing here can ever be submitted into a URL.
    el(
      'form',
      { class: 'token-row', autocomplete: 'off', novalidate: '' },
      el('div', { class: 'field grow' }, el('label', { for: 'token' }, 'Bearer token'), input),
      forget,
    ),
    el(
      'p',
      { id: 'token-hint', class: 'hint' },
      'Paste a token, or open the link ',
      el('code', {}, 'npm start'),
      ' prints. ',
      el('code', {}, 'npm run token -- --user ID'),
      ' makes one. It is kept in this browser tab only (session storage), never in the address bar.',
    ),
    status,
  );
  container.setAttribute('aria-labelledby', 'token-heading');
  container.querySelector('form')!.addEventListener('submit', (event) => event.preventDefault());

  const describe = (token: string) => {
    delete status.dataset.kind;
    if (!token) {
      status.textContent = '';
      return;
    }
    const claims = peekClaims(token);
    if (!claims) {
      status.textContent = 'This does not look like a token (expected three dot-separated parts).';
      status.dataset.kind = 'warn';
      return;
    }
    if (options.needsAdmin && claims.role !== 'ADMIN') {
      status.textContent = `This token names ${describeClaims(claims)}; this page needs an ADMIN token.`;
      status.dataset.kind = 'warn';
      return;
    }
    status.textContent = `Checking the token for ${describeClaims(claims)}…`;
  };

  input.value = getToken();
  describe(input.value);
  let typing = 0;
  input.addEventListener('input', () => {
    // Wait for a paste to settle before the page asks the server with it.
    clearTimeout(typing);
    typing = window.setTimeout(() => setToken(input.value), 300);
  });
  forget.addEventListener('click', () => {
    input.value = '';
    setToken('');
    input.focus();
  });
  onTokenChange((token) => {
    if (input.value.trim().replace(/^Bearer\s+/i, '') !== token) input.value = token;
    describe(token);
  });

  return {
    markVerdict(accepted) {
      const claims = peekClaims(getToken());
      if (!claims) return;
      if (!accepted) {
        status.textContent =
          'The server did not accept this token (wrong, expired, or made for another server).';
        status.dataset.kind = 'warn';
        return;
      }
      let text = `Signed in as ${describeClaims(claims)}`;
      if (typeof claims.exp === 'number') text += ` until ${new Date(claims.exp * 1000).toLocaleString()}`;
      status.textContent = `${text}. The token is kept in this tab only.`;
      status.dataset.kind = 'ok';
    },
  };
}
