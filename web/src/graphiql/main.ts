// First: every <style> element GraphiQL's editor creates must carry the page's nonce.
import './style-nonce';
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { byId } from '../shared/format';
import { adoptTokenFromFragment, describeClaims, getToken, peekClaims } from '../shared/session';
import { graphiqlStorage } from './session-storage';
import './graphiql.css';

// GraphiQL against this server: queries and mutations over HTTP, subscriptions over graphql-ws.
// Signed in the same way as the other pages; the token goes into the headers editor, which
// GraphiQL sends as HTTP headers and as the WebSocket's connectionParams.

const DEFAULT_QUERY = `# Queries and mutations go over HTTP, subscriptions over the WebSocket.
# The Headers tab carries your token (from the sign-in on the upload page).
query Limits {
  uploadLimits {
    maxFileSize
    allowedMimeTypes
  }
}
`;

adoptTokenFromFragment();
const token = getToken();
const claims = token ? peekClaims(token) : null;
byId('ide-sign-in').textContent = claims
  ? `Headers signed in as ${describeClaims(claims)} (from this tab's sign-in).`
  : 'Not signed in: sign in on the upload page, or put "authorization": "Bearer …" in the Headers tab.';

const http = new URL('/graphql', window.location.href);
const ws = new URL(http);
ws.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';
const fetcher = createGraphiQLFetcher({ url: http.toString(), subscriptionUrl: ws.toString() });
const headers = token ? JSON.stringify({ authorization: `Bearer ${token}` }, null, 2) : undefined;
// `?query=` opens with that operation (links from docs and tests).
const linked = new URLSearchParams(window.location.search);

createRoot(byId('graphiql')).render(
  createElement(GraphiQL, {
    fetcher,
    storage: graphiqlStorage(),
    // Kept in this tab's session storage only, like the token itself.
    shouldPersistHeaders: true,
    initialHeaders: headers,
    defaultHeaders: headers,
    defaultQuery: DEFAULT_QUERY,
    initialQuery: linked.get('query') ?? undefined,
    initialVariables: linked.get('variables') ?? undefined,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: 'headers',
  }),
);
document.documentElement.dataset.ready = 'true';
