import { encodeRfc3986, replaceLoneSurrogates } from './storage-key';

/**
 * `attachment` Content-Disposition carrying `fileName` twice: an ASCII-only quoted fallback for old
 * clients and the exact name as RFC 5987 / RFC 6266 `filename*`. Always `attachment`: the bytes are
 * user-supplied, and rendering them inline from our origin would invite stored XSS.
 */
export function attachmentDisposition(fileName?: string): string {
  // encodeURIComponent throws on lone surrogates; a download name is not worth a 500.
  const name = replaceLoneSurrogates(fileName ?? '').trim();
  if (name === '') return 'attachment';
  // Quotes and backslashes would end or escape the quoted string; '%' is decoded by some browsers.
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc3986(name)}`;
}
