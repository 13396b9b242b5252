import { describe, expect, it } from 'vitest';
import { browserSuite } from '../helpers/browser-suite';
import { EICAR } from '../helpers/scan';
import { confirm, initiate, putBytes } from '../helpers/upload';

/**
 * GraphiQL (/graphiql/), bundled from the `graphiql` package and served by the service itself,
 * in Debian's Chromium: signed in from the same session as the other pages, it runs a
 * subscription over graphql-ws, and nothing is fetched from anywhere but the service.
 */
describe('GraphiQL in a browser', () => {
  const suite = browserSuite();

  /** What a Monaco editor shows (it renders spaces as no-break spaces). */
  const editorText = async (selector: string) =>
    (await suite.page.locator(selector).innerText()).replace(/\u00a0/g, ' ');

  it('is served with a strict policy: scripts from this origin only, styles from it plus a fresh nonce', async () => {
    const first = await fetch(`${suite.origin}/graphiql/`);
    expect(first.status).toBe(200);
    const policy = first.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toMatch(/style-src 'self' 'nonce-[\w+/=]+'/);
    expect(policy).toContain("frame-ancestors 'none'");
    // Style attributes (Monaco positions its lines with them) are the one exception.
    expect(policy.replace("style-src-attr 'unsafe-inline'", '')).not.toContain('unsafe');
    const html = await first.text();
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/graphiql-[\w-]+\.js"><\/script>/);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/https?:\/\//);
    const nonceOf = (value: string) => /'nonce-([^']+)'/.exec(value)?.[1];
    const second = await fetch(`${suite.origin}/graphiql/`);
    expect(nonceOf(second.headers.get('content-security-policy') ?? '')).not.toBe(nonceOf(policy));
    expect(html).toContain(`content="${nonceOf(policy)}"`);
    // Without the slash: sent to the page.
    const bare = await fetch(`${suite.origin}/graphiql`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/graphiql/');
  });

  it('runs a subscription over graphql-ws with the sign-in in its headers; nothing from elsewhere', async () => {
    const { app, browser, page } = suite;
    const token = app.token('ide-alice');
    const draft = await initiate(app, token, {
      fileName: 'ide.txt',
      fileSize: EICAR.length,
      mimeType: 'text/plain',
    });
    expect((await putBytes(draft, EICAR)).ok).toBe(true);

    const query = `subscription Watch {
  assetScanStatus(assetId: "${draft.assetId}") {
    status
    scanStatus
    scanResult { threats { name } }
    final
  }
}`;
    await suite.openSignedIn(`/graphiql/?query=${encodeURIComponent(query)}`, token);
    expect(new URL(page.url()).hash).toBe('');
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .monaco-editor');
    expect(await page.textContent('#ide-sign-in')).toContain('ide-alice (USER)');
    // The headers editor carries the same sign-in (from session storage, not from the URL).
    await expect
      .poll(() => editorText('.graphiql-editor-tool .graphiql-editor:not(.hidden)'))
      .toContain(`"authorization": "Bearer ${token.slice(0, 20)}`);

    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.getByRole('button', { name: /^Execute query/ }).click();
    // The first event is the asset as it is: uploaded, not yet confirmed.
    await expect.poll(() => editorText('.result-window')).toContain('"status": "DRAFT"');
    expect(await confirm(app, token, draft.assetId)).toMatchObject({ status: 200 });
    // Then one event per change, live, until the final one.
    await expect.poll(() => editorText('.result-window'), { timeout: 20_000 }).toContain('"final": true');
    const result = await editorText('.result-window');
    expect(result).toContain('"scanStatus": "INFECTED"');
    expect(result).toContain('Eicar-Test-Signature');
    expect(sockets).toEqual([`${app.wsUrl}`]);

    await browser.screenshot(page, 'graphiql-subscription');
    expect(browser.consoleErrors).toEqual([]);
    const sentWithToken = browser.urlsSeen.filter((url) => url.includes(token) && !url.includes('#token='));
    expect(sentWithToken).toEqual([]);
  });
});
