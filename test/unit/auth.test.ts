import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { authenticate, signToken, verifyToken } from '../../src/api/auth';

const SECRET = 's'.repeat(40);

describe('bearer tokens', () => {
  it('round-trips subject and role', () => {
    const token = signToken(SECRET, { userId: 'u1', role: 'ADMIN' });
    expect(verifyToken(SECRET, token)).toEqual({ userId: 'u1', role: 'ADMIN' });
  });

  it('refuses other keys, other algorithms, expired tokens and unknown roles', () => {
    expect(verifyToken('other'.repeat(10), signToken(SECRET, { userId: 'u1', role: 'USER' }))).toBeNull();
    const none = jwt.sign({ sub: 'u1', role: 'ADMIN' }, '', { algorithm: 'none' });
    expect(verifyToken(SECRET, none)).toBeNull();
    const expired = jwt.sign({ sub: 'u1', role: 'USER', exp: Math.floor(Date.now() / 1000) - 10 }, SECRET);
    expect(verifyToken(SECRET, expired)).toBeNull();
    expect(verifyToken(SECRET, jwt.sign({ sub: 'u1', role: 'ROOT' }, SECRET))).toBeNull();
    expect(verifyToken(SECRET, jwt.sign({ role: 'USER' }, SECRET))).toBeNull();
  });

  it('treats a missing header as anonymous and a bad one as invalid', () => {
    expect(authenticate(SECRET, undefined)).toEqual({ actor: null, invalid: false });
    expect(authenticate(SECRET, 'Bearer nope')).toEqual({ actor: null, invalid: true });
    expect(authenticate(SECRET, 'Basic abc')).toEqual({ actor: null, invalid: true });
  });
});
