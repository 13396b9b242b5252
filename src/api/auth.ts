import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { DEFAULT_JWT_MAX_TTL_SECONDS } from '../config';
import type { Actor, Role } from '../services/actor';

const ROLES: readonly Role[] = ['USER', 'ADMIN'];
const MAX_SUBJECT_LENGTH = 255;

let lastKey: { secret: string; key: KeyObject } | undefined;

/**
 * The secret as a KeyObject, made once. Handed a string, jsonwebtoken first tries to parse it as
 * a PEM public key and catches the failure: about 0.9 ms per request, 30× the HMAC itself.
 */
function hmacKey(secret: string): KeyObject {
  if (lastKey?.secret !== secret) lastKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return lastKey.key;
}

/** Signs a bearer token for `actor` (HS256, claims `sub` and `role`). */
export function signToken(
  secret: string,
  actor: Actor,
  expiresIn: jwt.SignOptions['expiresIn'] = '12h',
): string {
  return jwt.sign({ role: actor.role }, hmacKey(secret), {
    algorithm: 'HS256',
    subject: actor.userId,
    expiresIn,
  });
}

/** A verified token: who it names and when it stops working. */
export interface VerifiedToken {
  actor: Actor;
  expiresAt: Date;
}

/**
 * Tokens already verified, per secret and maximum lifetime: a client sends the same token with
 * every request, and verifying it (base64, JSON, HMAC) was a tenth of a trivial request. Only
 * tokens that verified are kept (garbage cannot fill it), each until its own expiry, and at most
 * this many (least recently used go first).
 */
const VERIFIED_TOKENS_KEPT = 10_000;
const verifiedTokens = new Map<string, LRUCache<string, VerifiedToken>>();

function verifiedTokensFor(secret: string, maxTtlSeconds: number): LRUCache<string, VerifiedToken> {
  const key = `${maxTtlSeconds}:${secret}`;
  let cache = verifiedTokens.get(key);
  if (!cache) {
    cache = new LRUCache({ max: VERIFIED_TOKENS_KEPT });
    verifiedTokens.set(key, cache);
  }
  return cache;
}

/**
 * The actor a token names and its expiry, or null when it is missing, malformed, expired, forged,
 * has no `exp`, or lives longer than `maxTtlSeconds` (counted from `iat` when present, and never
 * reaching further than that from now): a token without an end would be a password.
 */
export function verifyTokenClaims(
  secret: string,
  token: string,
  maxTtlSeconds = DEFAULT_JWT_MAX_TTL_SECONDS,
): VerifiedToken | null {
  const cache = verifiedTokensFor(secret, maxTtlSeconds);
  const known = cache.get(token);
  if (known) {
    if (known.expiresAt.getTime() > Date.now()) return known;
    cache.delete(token);
    return null;
  }
  const verified = verifyUncached(secret, token, maxTtlSeconds);
  if (verified) cache.set(token, verified);
  return verified;
}

function verifyUncached(secret: string, token: string, maxTtlSeconds: number): VerifiedToken | null {
  try {
    // Pinning the algorithm stops "alg: none" and key-confusion tricks.
    const claims = jwt.verify(token, hmacKey(secret), { algorithms: ['HS256'] });
    if (typeof claims === 'string') return null;
    const {
      sub,
      role = 'USER',
      exp,
      iat,
    } = claims as { sub?: unknown; role?: unknown; exp?: unknown; iat?: unknown };
    if (typeof sub !== 'string' || !sub || sub.length > MAX_SUBJECT_LENGTH) return null;
    if (!ROLES.includes(role as Role)) return null;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return null;
    const now = Date.now() / 1000;
    if (exp - now > maxTtlSeconds) return null;
    if (typeof iat === 'number' && exp - iat > maxTtlSeconds) return null;
    return { actor: { userId: sub, role: role as Role }, expiresAt: new Date(exp * 1000) };
  } catch {
    return null;
  }
}

/** The actor a token names, or null when {@link verifyTokenClaims} refuses it. */
export function verifyToken(
  secret: string,
  token: string,
  maxTtlSeconds = DEFAULT_JWT_MAX_TTL_SECONDS,
): Actor | null {
  return verifyTokenClaims(secret, token, maxTtlSeconds)?.actor ?? null;
}

/** Reads `Bearer <token>` from an Authorization header or connectionParams value. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : null;
}

export type AuthResult = ({ actor: Actor } & VerifiedToken) | { actor: null; invalid: boolean };

/** No header → anonymous; a header that does not verify → invalid (answered 401, never ignored). */
export function authenticate(
  secret: string,
  header: unknown,
  maxTtlSeconds = DEFAULT_JWT_MAX_TTL_SECONDS,
): AuthResult {
  if (header === undefined || header === null || header === '') return { actor: null, invalid: false };
  const token = bearerToken(header);
  const verified = token ? verifyTokenClaims(secret, token, maxTtlSeconds) : null;
  return verified ?? { actor: null, invalid: true };
}
