// The upload page: initiateUpload → PUT the bytes to storage → subscribe → confirmUpload →
// live scan states → final asset. Plain DOM, no framework, no build step.
//
// Everything that comes from the server or the user (file names, titles, threat names) goes
// into the page with textContent, never innerHTML.

const TOKEN_KEY = 'upload-page.token';
const GRAPHQL_PATH = '/graphql';
/** Give up waiting for a verdict after this long; the asset keeps its state on the server. */
const SCAN_WAIT_MS = 5 * 60 * 1000;
/** How long the live-status connection may take to deliver its first event. */
const SUBSCRIBE_WAIT_MS = 10 * 1000;

const ASSET_FIELDS = `
  id title fileName fileSize mimeType status scanStatus createdAt
  scanResult { engine threats { name engine } error }
  downloadUrl thumbnailUrl
`;
const INITIATE = `mutation Initiate($input: InitiateUploadInput!) {
  initiateUpload(input: $input) { uploadUrl uploadHeaders assetId expiresAt }
}`;
const CONFIRM = `mutation Confirm($input: ConfirmUploadInput!) {
  confirmUpload(input: $input) { id status scanStatus }
}`;
const ASSET = `query Asset($id: ID!) { asset(id: $id) { ${ASSET_FIELDS} } }`;
const MY_ASSETS = `query MyAssets($first: Int) {
  myAssets(first: $first) {
    totalCount
    nodes { id title fileName fileSize mimeType status scanStatus createdAt }
  }
}`;
const SCAN_STATUS = `subscription ScanStatus($assetId: ID!) {
  assetScanStatus(assetId: $assetId) {
    assetId status scanStatus final at
    scanResult { engine threats { name engine } error }
  }
}`;

/** A human sentence per error code; the code itself is shown beside it, small. */
const MESSAGES = {
  UNAUTHENTICATED:
    'Your token is missing, invalid or expired. Paste a fresh one above (npm start prints an admin dev token).',
  FORBIDDEN: 'Your token is valid, but it does not allow this.',
  BAD_USER_INPUT: 'Something in the form is not valid.',
  NOT_FOUND: 'That upload no longer exists, or it belongs to someone else.',
  FILE_TOO_LARGE: 'This file is too large to upload.',
  MIME_TYPE_NOT_ALLOWED: 'Files of this type cannot be uploaded here.',
  UPLOAD_NOT_FOUND: 'The file never reached storage. Please try again.',
  UPLOAD_EXPIRED: 'The upload link expired before the file was sent. Please start again.',
  CONTENT_MISMATCH:
    'The file’s contents do not match its name, type or size (was it renamed, or changed while uploading?). It was rejected.',
  RATE_LIMITED: 'Too many requests. Please wait a moment and try again.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Please try again in a moment.',
  GRAPHQL_VALIDATION_FAILED: 'This page and the server disagree about the API. Please reload the page.',
  GRAPHQL_PARSE_FAILED: 'This page and the server disagree about the API. Please reload the page.',
  NETWORK_ERROR: 'Could not reach the server. Check your connection and try again.',
  STORAGE_REFUSED: 'The storage server refused the file.',
  STORAGE_UNREACHABLE:
    'Could not send the file to storage (network error, or the storage server does not allow this site).',
  UPLOAD_CANCELLED: 'Upload cancelled.',
  SCAN_TIMEOUT: 'The scan is taking longer than expected. Check “My uploads” later for the verdict.',
  LIVE_STATUS_FAILED: 'Lost the live status connection. Check “My uploads” for the verdict.',
  NO_FILE: 'Choose a file first.',
  NO_TITLE: 'Give the file a title.',
  NO_TOKEN: 'Paste your token first.',
  UNEXPECTED_RESPONSE: 'The server sent an answer this page does not understand. Please try again.',
};

/** Headers a page may not set on a request; the browser fills them in itself (Content-Length). */
const FORBIDDEN_REQUEST_HEADERS = new Set([
  'content-length',
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'expect',
  'te',
  'trailer',
  'upgrade',
  'cookie',
  'cookie2',
  'date',
  'origin',
  'referer',
  'via',
]);

/** Used when the browser does not know a file's type (File.type is ""). */
const TYPES_BY_EXTENSION = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  heic: 'image/heic',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  pdf: 'application/pdf',
  zip: 'application/zip',
  txt: 'text/plain',
  csv: 'text/csv',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

const STATE_TEXT = {
  DRAFT: 'Sent, waiting for confirmation',
  PROCESSING: 'Received, queued for a virus scan',
  SCANNING: 'Scanning for viruses',
  CLEAN: 'Clean',
  INFECTED: 'Infected',
  ERROR: 'Scan failed',
  REJECTED: 'Rejected',
  APPROVED: 'Approved',
};

/** An error with a code from MESSAGES (or the server's extensions.code) and optional details. */
class PageError extends Error {
  constructor(code, details = {}) {
    super(code);
    this.name = 'PageError';
    this.code = code;
    this.details = details;
  }

  /** From a GraphQL error object: its extensions.code; the server's message is not shown. */
  static fromGraphQL(error) {
    const extensions = (error && error.extensions) || {};
    const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
    return new PageError(code, extensions);
  }
}

const $ = (id) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element;
};

const els = {
  tokenForm: $('token-form'),
  token: $('token'),
  tokenForget: $('token-forget'),
  tokenStatus: $('token-status'),
  uploadForm: $('upload-form'),
  dropzone: $('dropzone'),
  file: $('file'),
  fileSummary: $('file-summary'),
  title: $('title'),
  uploadButton: $('upload-button'),
  cancelButton: $('cancel-button'),
  uploadError: $('upload-error'),
  progressBlock: $('progress-block'),
  progressLabel: $('progress-label'),
  progress: $('progress'),
  progressText: $('progress-text'),
  statusBlock: $('status-block'),
  currentState: $('current-state'),
  currentStateDetail: $('current-state-detail'),
  timeline: $('timeline'),
  result: $('result'),
  resultHeading: $('result-heading'),
  verdict: $('verdict'),
  threatsBlock: $('threats-block'),
  threats: $('threats'),
  thumbnail: $('thumbnail'),
  downloadBlock: $('download-block'),
  downloadLink: $('download-link'),
  assetFacts: $('asset-facts'),
  refreshMine: $('refresh-mine'),
  mineError: $('mine-error'),
  mineEmpty: $('mine-empty'),
  mine: $('mine'),
  mineCount: $('mine-count'),
};

/* ------------------------------------------------------------------ token */

function normalizeToken(raw) {
  return raw
    .trim()
    .replace(/^Bearer\s+/i, '')
    .trim();
}

function getToken() {
  return normalizeToken(els.token.value);
}

/** The token's claims, for display only (the server verifies it); null when it is not a JWT. */
function peekClaims(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const binary = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const claims = JSON.parse(json);
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/**
 * What the token says about itself. Unverified until the server answers, so it reads "names",
 * and `markTokenVerdict` replaces it once "My uploads" has been asked with it.
 */
function describeToken() {
  const token = getToken();
  delete els.tokenStatus.dataset.kind;
  if (!token) {
    els.tokenStatus.textContent = '';
    return;
  }
  const claims = peekClaims(token);
  if (!claims) {
    els.tokenStatus.textContent = 'This does not look like a token (expected three dot-separated parts).';
    els.tokenStatus.dataset.kind = 'warn';
    return;
  }
  els.tokenStatus.textContent = `Checking the token for ${tokenSubject(claims)}…`;
}

function tokenSubject(claims) {
  const who = typeof claims.sub === 'string' ? claims.sub : 'an unknown user';
  const role = typeof claims.role === 'string' ? claims.role : 'USER';
  return `${who} (${role})`;
}

/** After the server has answered with this token: accepted, or refused. */
function markTokenVerdict(accepted) {
  const claims = peekClaims(getToken());
  if (!claims) return;
  if (!accepted) {
    els.tokenStatus.textContent =
      'The server did not accept this token (wrong, expired, or made for another server).';
    els.tokenStatus.dataset.kind = 'warn';
    return;
  }
  let text = `Signed in as ${tokenSubject(claims)}`;
  if (typeof claims.exp === 'number') text += ` until ${new Date(claims.exp * 1000).toLocaleString()}`;
  els.tokenStatus.textContent = `${text}. The token is kept in this tab only.`;
  els.tokenStatus.dataset.kind = 'ok';
}

let mineRefreshTimer = 0;

function onTokenInput() {
  const token = getToken();
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  describeToken();
  // Wait for the paste to settle before asking the server.
  clearTimeout(mineRefreshTimer);
  mineRefreshTimer = setTimeout(() => void refreshMine(), 300);
}

/* ---------------------------------------------------------------- network */

/** POST /graphql with the bearer token; returns `data` or throws a PageError by extensions.code. */
async function gql(query, variables, token = getToken()) {
  const headers = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new PageError('NETWORK_ERROR');
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new PageError(response.status === 429 ? 'RATE_LIMITED' : 'UNEXPECTED_RESPONSE', {
      status: response.status,
    });
  }
  if (body && Array.isArray(body.errors) && body.errors.length > 0)
    throw PageError.fromGraphQL(body.errors[0]);
  if (!response.ok || !body || !body.data)
    throw new PageError('UNEXPECTED_RESPONSE', { status: response.status });
  return body.data;
}

/**
 * PUTs the file to the presigned URL with the headers initiateUpload returned, except those a
 * browser sets itself (Content-Length). XMLHttpRequest rather than fetch: it reports progress.
 */
function putFile(url, headers, file, onProgress, signal) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers || {})) {
      const lower = name.toLowerCase();
      if (FORBIDDEN_REQUEST_HEADERS.has(lower) || lower.startsWith('proxy-') || lower.startsWith('sec-'))
        continue;
      xhr.setRequestHeader(name, String(value));
    }
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
      } else {
        reject(new PageError('STORAGE_REFUSED', { status: xhr.status }));
      }
    });
    xhr.addEventListener('error', () => reject(new PageError('STORAGE_UNREACHABLE')));
    xhr.addEventListener('abort', () => reject(new PageError('UPLOAD_CANCELLED')));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** Same origin, ws: or wss: to match the page. */
function webSocketUrl() {
  const url = new URL(GRAPHQL_PATH, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** A PageError for whatever graphql-ws hands its error sink. */
function subscriptionError(error) {
  if (Array.isArray(error) && error.length > 0) return PageError.fromGraphQL(error[0]);
  const code = error && typeof error.code === 'number' ? error.code : undefined;
  if (code === 4401) return new PageError('UNAUTHENTICATED');
  if (code === 4403) return new PageError('FORBIDDEN');
  if (code === 4429) return new PageError('RATE_LIMITED');
  return new PageError('LIVE_STATUS_FAILED');
}

/**
 * Subscribes to assetScanStatus. `ready` settles on the first event (the asset's current state),
 * which proves the server is listening; `done` on the final one.
 */
function watchScanStatus(assetId, token, onEvent) {
  if (!window.graphqlWs || typeof window.graphqlWs.createClient !== 'function') {
    const failed = Promise.reject(new PageError('LIVE_STATUS_FAILED'));
    failed.catch(() => undefined);
    return { ready: failed, done: failed, dispose: () => undefined };
  }
  const client = window.graphqlWs.createClient({
    url: webSocketUrl(),
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: true,
    retryAttempts: 0,
  });
  let markReady;
  let failReady;
  const ready = new Promise((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  let unsubscribe = () => undefined;
  const done = new Promise((resolve, reject) => {
    let last = null;
    unsubscribe = client.subscribe(
      { query: SCAN_STATUS, variables: { assetId } },
      {
        next: (result) => {
          if (result.errors && result.errors.length > 0) {
            const error = PageError.fromGraphQL(result.errors[0]);
            failReady(error);
            reject(error);
            return;
          }
          const event = result.data && result.data.assetScanStatus;
          if (!event) return;
          last = event;
          onEvent(event);
          markReady(event);
          if (event.final) resolve(event);
        },
        error: (error) => {
          const pageError = subscriptionError(error);
          failReady(pageError);
          reject(pageError);
        },
        complete: () => {
          if (last && last.final) resolve(last);
          else {
            failReady(new PageError('LIVE_STATUS_FAILED'));
            reject(new PageError('LIVE_STATUS_FAILED'));
          }
        },
      },
    );
  });
  // Whoever awaits these handles rejections; stop unhandled-rejection noise for the other one.
  ready.catch(() => undefined);
  done.catch(() => undefined);
  return {
    ready,
    done,
    dispose: () => {
      unsubscribe();
      void client.dispose();
    },
  };
}

/* ------------------------------------------------------------- rendering */

function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString();
}

function formatDate(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleString();
}

/** The one word shown for an asset's pair of statuses: DRAFT, PROCESSING, SCANNING or a verdict. */
function stateOf({ status, scanStatus }) {
  if (
    scanStatus === 'CLEAN' ||
    scanStatus === 'INFECTED' ||
    scanStatus === 'ERROR' ||
    scanStatus === 'SCANNING'
  ) {
    return scanStatus;
  }
  return status || scanStatus || 'UNKNOWN';
}

function badge(state) {
  const span = document.createElement('span');
  span.className = 'badge';
  span.dataset.state = state;
  span.textContent = state;
  return span;
}

/** Only http(s) URLs become links or images (never javascript: or data:). */
function safeUrl(value) {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const url = new URL(value, window.location.href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}

function showError(container, error) {
  const code = error instanceof PageError ? error.code : 'INTERNAL_SERVER_ERROR';
  const details = error instanceof PageError ? error.details : {};
  let sentence = MESSAGES[code] || 'Something went wrong. Please try again.';
  if (code === 'FILE_TOO_LARGE' && Number.isFinite(details.maxBytes)) {
    sentence = `This file is too large. The limit is ${formatBytes(details.maxBytes)}.`;
  } else if (code === 'BAD_USER_INPUT' && typeof details.field === 'string') {
    sentence = `The value of “${details.field}” is not valid.`;
  } else if (code === 'RATE_LIMITED' && Number.isFinite(details.retryAfterSeconds)) {
    sentence = `Too many requests. Please try again in ${details.retryAfterSeconds} s.`;
  } else if (code === 'STORAGE_REFUSED' && details.status) {
    sentence = `The storage server refused the file (HTTP ${details.status}). Please try again.`;
  }
  container.replaceChildren();
  const text = document.createElement('span');
  text.className = 'error-text';
  text.textContent = sentence;
  const codeElement = document.createElement('code');
  codeElement.className = 'error-code';
  codeElement.textContent = code;
  container.append(text, ' ', codeElement);
  container.dataset.code = code;
  container.hidden = false;
}

function clearError(container) {
  container.hidden = true;
  container.replaceChildren();
  delete container.dataset.code;
}

function setProgress(loaded, total) {
  const percent = total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : 0;
  els.progress.value = percent;
  els.progressText.textContent = `${percent}%`;
  els.progressLabel.textContent =
    percent >= 100 ? 'Sent' : `Sending (${formatBytes(loaded)} of ${formatBytes(total)})`;
}

function resetRun() {
  clearError(els.uploadError);
  els.progressBlock.hidden = true;
  setProgress(0, 1);
  els.statusBlock.hidden = true;
  els.timeline.replaceChildren();
  els.currentState.textContent = '';
  els.currentState.dataset.state = '';
  els.currentStateDetail.textContent = '';
  els.result.hidden = true;
  els.verdict.textContent = '';
  els.verdict.dataset.state = '';
  els.threatsBlock.hidden = true;
  els.threats.replaceChildren();
  els.thumbnail.hidden = true;
  els.thumbnail.removeAttribute('src');
  els.thumbnail.alt = '';
  els.downloadBlock.hidden = true;
  els.downloadLink.href = '#';
  els.downloadLink.removeAttribute('download');
  els.assetFacts.replaceChildren();
}

/** One line per new state; a repeat of the same state only updates its time. */
function showState(event) {
  const state = stateOf(event);
  els.statusBlock.hidden = false;
  els.currentState.dataset.state = state;
  els.currentState.textContent = state;
  els.currentStateDetail.textContent = STATE_TEXT[state] || '';

  const last = els.timeline.lastElementChild;
  const time = formatTime(event.at);
  if (last && last.dataset.state === state) {
    const timeElement = last.querySelector('time');
    if (timeElement) {
      timeElement.textContent = time;
      timeElement.dateTime = event.at;
    }
    return;
  }
  const item = document.createElement('li');
  item.dataset.state = state;
  const timeElement = document.createElement('time');
  timeElement.dateTime = event.at || '';
  timeElement.textContent = time;
  const label = document.createElement('span');
  label.className = 'timeline-text';
  label.textContent = STATE_TEXT[state] || state;
  item.append(badge(state), ' ', label, ' ', timeElement);
  els.timeline.append(item);
}

function addFact(term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  els.assetFacts.append(dt, dd);
}

function showResult(asset, event) {
  const state = stateOf(asset || event);
  els.result.hidden = false;
  els.verdict.dataset.state = state;
  const verdicts = {
    CLEAN: 'Clean: no threats found. The file is ready to download.',
    INFECTED: 'Infected: the file was quarantined and can never be downloaded.',
    ERROR:
      'The virus scan failed, so the file was rejected. Nothing unscanned is ever served; please upload it again.',
  };
  els.verdict.replaceChildren(badge(state), ' ', verdicts[state] || `Finished as ${state}.`);

  const scanResult = (asset && asset.scanResult) || (event && event.scanResult) || null;
  const threats = (scanResult && scanResult.threats) || [];
  if (threats.length > 0) {
    els.threats.replaceChildren(
      ...threats.map((threat) => {
        const item = document.createElement('li');
        const name = document.createElement('strong');
        name.className = 'threat-name';
        name.textContent = threat.name;
        item.append(name, ` (found by ${threat.engine})`);
        return item;
      }),
    );
    els.threatsBlock.hidden = false;
  }

  if (!asset) return;
  const download = safeUrl(asset.downloadUrl);
  if (download) {
    els.downloadLink.href = download;
    els.downloadLink.download = asset.fileName;
    els.downloadLink.textContent = `Download ${asset.fileName}`;
    els.downloadBlock.hidden = false;
  }
  const thumbnail = safeUrl(asset.thumbnailUrl);
  if (thumbnail) {
    els.thumbnail.alt = `Thumbnail of ${asset.fileName}`;
    els.thumbnail.src = thumbnail;
    els.thumbnail.hidden = false;
  }
  addFact('File', asset.fileName);
  if (asset.title) addFact('Title', asset.title);
  addFact('Size', formatBytes(asset.fileSize));
  addFact('Type', asset.mimeType);
  if (scanResult && scanResult.engine) addFact('Scanned by', scanResult.engine);
}

/* ---------------------------------------------------------------- upload */

/** `promise`, or a PageError with `code` after `ms`. */
function withTimeout(promise, ms, code) {
  let timer = 0;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new PageError(code)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let selectedFile = null;
let running = null; // { abort: AbortController, subscription }

function typeOf(file) {
  if (file.type) return file.type;
  const extension = (file.name.split('.').pop() || '').toLowerCase();
  return TYPES_BY_EXTENSION[extension] || 'application/octet-stream';
}

function selectFile(file, note = '') {
  selectedFile = file || null;
  if (!selectedFile) {
    els.fileSummary.textContent = 'No file chosen';
    return;
  }
  els.fileSummary.textContent = `${selectedFile.name} · ${formatBytes(selectedFile.size)} · ${typeOf(selectedFile)}${note}`;
  if (!els.title.value.trim() || els.title.dataset.auto === 'true') {
    els.title.value = selectedFile.name.replace(/\.[^.]+$/, '') || selectedFile.name;
    els.title.dataset.auto = 'true';
  }
}

function setBusy(busy) {
  els.uploadButton.disabled = busy;
  els.file.disabled = busy;
  els.dropzone.classList.toggle('disabled', busy);
  els.cancelButton.hidden = !busy;
  els.uploadButton.textContent = busy ? 'Uploading…' : 'Upload';
}

async function upload() {
  if (running) return;
  resetRun();
  if (!getToken()) return showError(els.uploadError, new PageError('NO_TOKEN'));
  if (!selectedFile) return showError(els.uploadError, new PageError('NO_FILE'));
  const title = els.title.value.trim();
  if (!title) return showError(els.uploadError, new PageError('NO_TITLE'));

  const file = selectedFile;
  // One token for the whole run, even if the field is edited meanwhile.
  const token = getToken();
  const abort = new AbortController();
  running = { abort, subscription: null };
  setBusy(true);
  try {
    const { initiateUpload } = await gql(
      INITIATE,
      { input: { fileName: file.name, fileSize: file.size, mimeType: typeOf(file) } },
      token,
    );
    if (abort.signal.aborted) throw new PageError('UPLOAD_CANCELLED');
    const { assetId } = initiateUpload;
    const uploadUrl = safeUrl(initiateUpload.uploadUrl);
    if (!uploadUrl) throw new PageError('UNEXPECTED_RESPONSE');

    els.progressBlock.hidden = false;
    await putFile(uploadUrl, initiateUpload.uploadHeaders, file, setProgress, abort.signal);
    els.cancelButton.hidden = true; // past this point the server owns the file

    // Subscribe before confirming, and wait for the first event (the current state), so not one
    // change between confirm and the verdict can be missed.
    const subscription = watchScanStatus(assetId, token, showState);
    running.subscription = subscription;
    let live = true;
    try {
      await withTimeout(subscription.ready, SUBSCRIBE_WAIT_MS, 'LIVE_STATUS_FAILED');
    } catch (error) {
      // Refusals stop here; a broken live connection (a proxy without WebSockets, say) must not
      // leave the file unconfirmed: confirm anyway and say where the verdict will show.
      if (!(error instanceof PageError) || error.code !== 'LIVE_STATUS_FAILED') throw error;
      live = false;
    }
    await gql(CONFIRM, { input: { assetId, title } }, token);
    if (!live) throw new PageError('LIVE_STATUS_FAILED');

    const finalEvent = await withTimeout(subscription.done, SCAN_WAIT_MS, 'SCAN_TIMEOUT');
    const { asset } = await gql(ASSET, { id: assetId }, token);
    showResult(asset, finalEvent);
    els.resultHeading.focus({ preventScroll: true });
    // Done with this file; a second click must not upload it again by accident.
    els.uploadForm.reset();
    delete els.title.dataset.auto;
    selectFile(null);
  } catch (error) {
    if (error instanceof PageError && error.code === 'UNAUTHENTICATED') markTokenVerdict(false);
    showError(els.uploadError, error);
  } finally {
    if (running && running.subscription) running.subscription.dispose();
    running = null;
    setBusy(false);
    void refreshMine();
  }
}

/* ------------------------------------------------------------ my uploads */

let mineRequest = 0;

async function refreshMine() {
  const request = ++mineRequest;
  if (!getToken()) {
    clearError(els.mineError);
    els.mine.replaceChildren();
    els.mineCount.textContent = '';
    els.mineEmpty.textContent = 'Paste a token to see your uploads.';
    els.mineEmpty.hidden = false;
    return;
  }
  els.mine.setAttribute('aria-busy', 'true');
  try {
    const { myAssets } = await gql(MY_ASSETS, { first: 20 });
    if (request !== mineRequest) return; // a newer refresh is on its way
    markTokenVerdict(true);
    clearError(els.mineError);
    els.mine.replaceChildren(...myAssets.nodes.map(renderMineItem));
    els.mineEmpty.hidden = myAssets.nodes.length > 0;
    els.mineEmpty.textContent = 'No uploads yet.';
    els.mineCount.textContent =
      myAssets.totalCount > myAssets.nodes.length
        ? `Showing the newest ${myAssets.nodes.length} of ${myAssets.totalCount}.`
        : '';
  } catch (error) {
    if (request !== mineRequest) return;
    if (error instanceof PageError && error.code === 'UNAUTHENTICATED') markTokenVerdict(false);
    els.mine.replaceChildren();
    els.mineCount.textContent = '';
    els.mineEmpty.hidden = true;
    showError(els.mineError, error);
  } finally {
    if (request === mineRequest) els.mine.setAttribute('aria-busy', 'false');
  }
}

function renderMineItem(asset) {
  const item = document.createElement('li');
  item.className = 'mine-item';
  item.dataset.assetId = asset.id;
  const state = stateOf(asset);
  item.dataset.state = state;

  const main = document.createElement('div');
  main.className = 'mine-main';
  const name = document.createElement('span');
  name.className = 'mine-name';
  name.textContent = asset.title || asset.fileName;
  const meta = document.createElement('span');
  meta.className = 'mine-meta';
  meta.textContent = [
    asset.title ? asset.fileName : '',
    formatBytes(asset.fileSize),
    formatDate(asset.createdAt),
  ]
    .filter(Boolean)
    .join(' · ');
  main.append(name, meta);

  item.append(badge(state), main);
  if (state === 'CLEAN') {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary small';
    button.textContent = 'Download';
    button.setAttribute('aria-label', `Download ${asset.fileName}`);
    button.addEventListener('click', () => void downloadFromList(asset.id, button));
    item.append(button);
  }
  return item;
}

/** Download URLs are short-lived, so the list asks for a fresh one on click. */
async function downloadFromList(assetId, button) {
  button.disabled = true;
  try {
    const { asset } = await gql(ASSET, { id: assetId });
    const url = safeUrl(asset && asset.downloadUrl);
    if (!url) throw new PageError('NOT_FOUND');
    const link = document.createElement('a');
    link.href = url;
    link.download = asset.fileName;
    link.rel = 'noopener noreferrer';
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    showError(els.mineError, error);
  } finally {
    button.disabled = false;
  }
}

/* ---------------------------------------------------------------- wiring */

function init() {
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) els.token.value = saved;
  describeToken();

  els.tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    onTokenInput();
  });
  els.token.addEventListener('input', onTokenInput);
  els.tokenForget.addEventListener('click', () => {
    els.token.value = '';
    onTokenInput();
    els.token.focus();
  });

  els.file.addEventListener('change', () => selectFile(els.file.files && els.file.files[0]));
  els.title.addEventListener('input', () => {
    els.title.dataset.auto = 'false';
  });

  // Drag and drop onto the zone (the file input itself stays the keyboard path).
  let dragDepth = 0;
  els.dropzone.addEventListener('dragenter', (event) => {
    event.preventDefault();
    dragDepth += 1;
    els.dropzone.classList.add('dragover');
  });
  els.dropzone.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = running ? 'none' : 'copy';
  });
  els.dropzone.addEventListener('dragleave', () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) els.dropzone.classList.remove('dragover');
  });
  els.dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    dragDepth = 0;
    els.dropzone.classList.remove('dragover');
    if (running) return;
    const files = event.dataTransfer ? event.dataTransfer.files : null;
    if (!files || files.length === 0) return;
    try {
      els.file.files = files; // keep the input in step where the browser allows it
    } catch {
      /* older browsers: the page keeps its own reference */
    }
    selectFile(files[0], files.length > 1 ? ' (only the first of the dropped files)' : '');
  });
  // A file dropped beside the zone must not make the browser navigate away to it.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());

  els.uploadForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void upload();
  });
  els.cancelButton.addEventListener('click', () => {
    if (running) running.abort.abort();
  });
  els.refreshMine.addEventListener('click', () => void refreshMine());

  void refreshMine();
  document.documentElement.dataset.ready = 'true';
}

init();
