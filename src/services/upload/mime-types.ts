const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** Lower-cases a declared MIME type and drops parameters; null when it is not a MIME type at all. */
export function normalizeMimeType(raw: string): string | null {
  const bare = raw.split(';')[0].trim().toLowerCase();
  return MIME_TYPE.test(bare) ? bare : null;
}

/** True when the allow-list names the type exactly or through a `type/*` wildcard. */
export function isMimeTypeAllowed(mimeType: string, allowList: readonly string[]): boolean {
  const [type] = mimeType.split('/');
  return allowList.some((allowed) => allowed === mimeType || allowed === `${type}/*`);
}
