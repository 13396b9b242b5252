import { PageMyAssetsDocument, type AssetSummaryFragment } from '../../generated/graphql';
import { request } from '../shared/api';
import { ApiError, describeError } from '../shared/errors';
import { el, formatBytes } from '../shared/format';
import { safeUrl, stateOf } from './asset-state';
import { badge } from './result-card';

const PAGE_SIZE = 10;

/** "My uploads": the caller's assets (myAssets), newest first, a page at a time. */
export class MyUploads {
  /** The cursor each shown page started after; the last is the current page's. */
  private cursors: (string | null)[] = [null];
  private next: string | null = null;
  private generation = 0;
  private readonly list: HTMLUListElement;
  private readonly error: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly previousButton: HTMLButtonElement;
  private readonly nextButton: HTMLButtonElement;

  constructor(
    container: HTMLElement,
    private readonly token: () => string,
    private readonly onAnswer: (accepted: boolean) => void,
  ) {
    const refresh = el('button', { type: 'button', class: 'secondary small', id: 'refresh-mine' }, 'Refresh');
    this.previousButton = el(
      'button',
      { type: 'button', class: 'secondary small', id: 'mine-previous' },
      'Newer',
    );
    this.nextButton = el('button', { type: 'button', class: 'secondary small', id: 'mine-next' }, 'Older');
    this.list = el('ul', {
      id: 'mine',
      class: 'mine',
      'aria-busy': 'false',
      'aria-labelledby': 'mine-heading',
    });
    this.error = el('div', { id: 'mine-error', class: 'error', role: 'alert', hidden: '' });
    this.summary = el('p', { id: 'mine-count', class: 'hint', role: 'status' });
    container.append(
      el('div', { class: 'section-head' }, el('h2', { id: 'mine-heading' }, 'My uploads'), refresh),
      this.error,
      this.list,
      el(
        'nav',
        { class: 'pager', 'aria-label': 'My uploads pages' },
        this.previousButton,
        this.summary,
        this.nextButton,
      ),
    );
    refresh.addEventListener('click', () => void this.load());
    this.previousButton.addEventListener('click', () => {
      if (this.cursors.length > 1) this.cursors.pop();
      void this.load();
    });
    this.nextButton.addEventListener('click', () => {
      if (!this.next) return;
      this.cursors.push(this.next);
      void this.load();
    });
  }

  /** Back to the newest page (after a sign-in, or an upload finished). */
  reset(): Promise<void> {
    this.cursors = [null];
    return this.load();
  }

  /** Loads the current page again; an answer to an older call is dropped. */
  async load(): Promise<void> {
    const generation = ++this.generation;
    const token = this.token();
    this.error.hidden = true;
    this.error.replaceChildren();
    if (!token) {
      this.list.replaceChildren();
      this.summary.textContent = 'Sign in to see your uploads.';
      this.previousButton.disabled = true;
      this.nextButton.disabled = true;
      return;
    }
    this.list.setAttribute('aria-busy', 'true');
    try {
      const after = this.cursors.at(-1) ?? null;
      const { myAssets } = await request(PageMyAssetsDocument, { first: PAGE_SIZE, after }, token);
      if (generation !== this.generation) return;
      this.onAnswer(true);
      this.next = myAssets.hasNextPage ? (myAssets.endCursor ?? null) : null;
      this.list.replaceChildren(...myAssets.nodes.map((asset) => this.item(asset)));
      const start = (this.cursors.length - 1) * PAGE_SIZE;
      this.summary.textContent =
        myAssets.totalCount === 0
          ? 'No uploads yet.'
          : `${start + 1}–${start + myAssets.nodes.length} of ${myAssets.totalCount}`;
      this.previousButton.disabled = this.cursors.length <= 1;
      this.nextButton.disabled = !this.next;
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') this.onAnswer(false);
      this.list.replaceChildren();
      this.summary.textContent = '';
      this.error.dataset.code = error instanceof ApiError ? error.code : 'INTERNAL_SERVER_ERROR';
      this.error.replaceChildren(el('span', { class: 'error-text' }, describeError(error)));
      this.error.hidden = false;
    } finally {
      if (generation === this.generation) this.list.setAttribute('aria-busy', 'false');
    }
  }

  private item(asset: AssetSummaryFragment): HTMLLIElement {
    const state = stateOf(asset);
    const created = new Date(asset.createdAt).toLocaleString();
    const item = el(
      'li',
      { class: 'mine-item', 'data-state': state, 'data-asset-id': asset.id },
      el('span', { class: 'mine-name' }, asset.title || asset.fileName),
      badge(state),
      el('span', { class: 'hint' }, `${asset.fileName} · ${formatBytes(asset.fileSize)} · ${created}`),
    );
    const download = safeUrl(asset.downloadUrl);
    if (download) {
      item.append(
        el(
          'a',
          { href: download, download: asset.fileName, rel: 'noopener noreferrer', class: 'mine-download' },
          'Download',
          el('span', { class: 'visually-hidden' }, ` ${asset.fileName}`),
        ),
      );
    }
    return item;
  }
}
