import { PageUploadLimitsDocument } from '../../generated/graphql';
import { request } from '../shared/api';
import { ApiError } from '../shared/errors';
import { byId, formatBytes } from '../shared/format';
import '../shared/page.css';
import { getToken, onTokenChange } from '../shared/session';
import { mountSignIn } from '../shared/sign-in';
import './upload.css';
import { MyUploads } from './my-uploads';
import { ResultCard } from './result-card';
import { confirmAndWatch } from './scan-watch';
import { StoragePutError } from './storage-put';
import { createUploader, type Limits, type PageFile } from './uploader';

// The upload page: Uppy sends files straight to storage; each finished file is confirmed and its
// scan followed live, and "My uploads" lists what the server keeps.

const signIn = mountSignIn(byId('sign-in'), { heading: 'Sign in' });
const myUploads = new MyUploads(byId('my-uploads'), getToken, (accepted) => signIn.markVerdict(accepted));
const results = byId<HTMLOListElement>('results');
const resultsEmpty = byId('results-empty');
const announcer = byId('announcer');
const refusals = byId('refusals');
const limitsHint = byId('limits-hint');
const cards = new Map<string, ResultCard>();

const uploader = createUploader(byId('uppy'), getToken, {
  uploaded: (file, assetId) => void follow(file, assetId),
  failed: (file, error) => {
    const card = cardFor(file);
    card.fail(storageError(error));
    announcer.textContent = `${file.name}: not uploaded. ${card.element.textContent ?? ''}`;
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') signIn.markVerdict(false);
  },
  refused: (fileName, reason) => {
    refusals.hidden = false;
    refusals.textContent = `${fileName} was not added: ${reason}`;
  },
});
// For the end-to-end tests and anyone debugging in the console.
(window as unknown as { uppy: unknown }).uppy = uploader.uppy;

function cardFor(file: PageFile): ResultCard {
  let card = cards.get(file.id);
  if (!card) {
    card = new ResultCard(file.name ?? 'upload');
    cards.set(file.id, card);
    results.prepend(card.element);
    resultsEmpty.hidden = true;
  }
  return card;
}

/** A PUT storage refused or never answered, in the page's words (Retry sends it again). */
function storageError(error: unknown): unknown {
  if (!(error instanceof StoragePutError)) return error;
  return error.status === 0
    ? new ApiError('NETWORK_ERROR')
    : new ApiError('STORAGE_REFUSED', { status: error.status });
}

/** Confirms one uploaded file and shows its scan, live, until the verdict. */
async function follow(file: PageFile, assetId: string): Promise<void> {
  const card = cardFor(file);
  card.element.dataset.assetId = assetId;
  // A retry that went through: the earlier failure no longer applies.
  delete card.element.dataset.code;
  try {
    const { asset, final } = await confirmAndWatch(
      assetId,
      file.meta.title || file.name || 'Upload',
      getToken(),
      (event) => card.event(event),
    );
    card.finish(asset, final);
    announcer.textContent = `${file.name}: ${card.element.querySelector('.verdict')?.textContent ?? ''}`;
  } catch (error) {
    card.fail(
      error,
      error instanceof ApiError && error.code === 'LIVE_STATUS_FAILED' ? 'UNKNOWN' : 'REFUSED',
    );
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') signIn.markVerdict(false);
  } finally {
    void myUploads.load();
  }
}

/** Reads the server's limits with the current token; the uploader's checks follow them. */
async function loadLimits(token: string): Promise<void> {
  let limits: Limits | null = null;
  if (token) {
    try {
      limits = (await request(PageUploadLimitsDocument, {}, token)).uploadLimits;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') signIn.markVerdict(false);
    }
  }
  uploader.applyLimits(limits);
  limitsHint.textContent = limits
    ? `Up to ${formatBytes(limits.maxFileSize)} per file; accepted types: ${limits.allowedMimeTypes.join(', ')}.`
    : 'Sign in to see what this server accepts.';
  document.documentElement.dataset.ready = 'true';
}

function onSignIn(token: string): void {
  refusals.hidden = true;
  void loadLimits(token);
  void myUploads.reset();
}

onTokenChange(onSignIn);
onSignIn(getToken());
