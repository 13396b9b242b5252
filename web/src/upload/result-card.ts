import type { AssetSummaryFragment } from '../../generated/graphql';
import { ApiError, describeError } from '../shared/errors';
import { el, formatBytes } from '../shared/format';
import { safeUrl, STATE_TEXT, stateOf, verdictText } from './asset-state';
import type { ScanEvent } from './scan-watch';

export function badge(state: string): HTMLSpanElement {
  return el('span', { class: 'badge', 'data-state': state }, STATE_TEXT[state] ?? state);
}

/** One uploaded file's card: its live state, a timeline of states, then the verdict. */
export class ResultCard {
  readonly element: HTMLLIElement;
  private readonly badgeSlot = el('span', { class: 'current-state' });
  private readonly timeline = el('ol', { class: 'timeline', 'aria-label': 'States so far' });
  private readonly body = el('div', { class: 'result-body' });

  constructor(fileName: string) {
    this.element = el(
      'li',
      { class: 'result-item', 'data-file-name': fileName, 'data-state': 'UPLOADING' },
      el('div', { class: 'result-head' }, el('strong', { class: 'result-name' }, fileName), this.badgeSlot),
      this.timeline,
      this.body,
    );
    this.show('UPLOADING');
  }

  /** Shows a new state (the badge, and a new timeline entry if it changed). */
  show(state: string, at?: string): void {
    this.element.dataset.state = state;
    this.badgeSlot.replaceChildren(badge(state));
    const last = this.timeline.lastElementChild as HTMLElement | null;
    if (state === 'UPLOADING' || last?.dataset.state === state) return;
    const time = at ? new Date(at).toLocaleTimeString() : new Date().toLocaleTimeString();
    this.timeline.append(
      el('li', { 'data-state': state }, badge(state), el('span', { class: 'hint' }, ` ${time}`)),
    );
  }

  event(event: ScanEvent): void {
    this.show(stateOf(event), event.at);
  }

  /** The verdict: reason in words, threats, thumbnail and download link when there are. */
  finish(asset: AssetSummaryFragment | null, final: ScanEvent): void {
    const state = stateOf(asset ?? final);
    this.show(state, final.at);
    const scanResult = asset?.scanResult ?? final.scanResult;
    const parts: Node[] = [
      el('p', { class: 'verdict', 'data-state': state }, verdictText(state, scanResult)),
    ];
    const threats = scanResult?.threats ?? [];
    if (threats.length > 0) {
      parts.push(
        el(
          'ul',
          { class: 'threats', 'aria-label': 'Threats found' },
          ...threats.map((threat) =>
            el('li', {}, el('strong', { class: 'threat-name' }, threat.name), ` (found by ${threat.engine})`),
          ),
        ),
      );
    }
    if (state === 'ERROR' && scanResult?.error) {
      parts.push(el('p', { class: 'hint' }, `Scanner said: ${scanResult.error}`));
    }
    const thumbnail = safeUrl(asset?.thumbnailUrl);
    if (asset && thumbnail) {
      parts.push(el('img', { class: 'thumbnail', src: thumbnail, alt: `Thumbnail of ${asset.fileName}` }));
    }
    const download = safeUrl(asset?.downloadUrl);
    if (asset && download) {
      parts.push(
        el(
          'a',
          {
            class: 'button-link download-link',
            href: download,
            download: asset.fileName,
            rel: 'noopener noreferrer',
          },
          `Download ${asset.fileName}`,
        ),
      );
    }
    if (asset) {
      parts.push(el('p', { class: 'hint' }, `${formatBytes(asset.fileSize)} · ${asset.mimeType}`));
    }
    this.body.replaceChildren(...parts);
  }

  /** A refusal or failure, in plain words, with its code for support. */
  fail(error: unknown, state = 'REFUSED'): void {
    const code = error instanceof ApiError ? error.code : 'INTERNAL_SERVER_ERROR';
    const sentence = describeError(error);
    this.show(state);
    this.element.dataset.code = code;
    this.body.replaceChildren(
      el(
        'p',
        { class: 'error', role: 'alert', 'data-code': code },
        el('span', { class: 'error-text' }, sentence),
        ' ',
        el('code', { class: 'error-code' }, code),
      ),
    );
  }
}
