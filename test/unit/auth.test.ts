import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
    const inAnHour = { expiresIn: 3600 };
    expect(verifyToken(SECRET, jwt.sign({ sub: 'u1', role: 'ROOT' }, SECRET, inAnHour))).toBeNull();
    expect(verifyToken(SECRET, jwt.sign({ role: 'USER' }, SECRET, inAnHour))).toBeNull();
  });

  it('requires exp, and refuses lifetimes past the maximum (from iat, and from now)', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(verifyToken(SECRET, jwt.sign({ sub: 'u1', role: 'USER' }, SECRET))).toBeNull();
    const day = jwt.sign({ sub: 'u1', exp: now + 20 * 3600 }, SECRET);
    expect(verifyToken(SECRET, day)).toEqual({ userId: 'u1', role: 'USER' });
    expect(verifyToken(SECRET, day, 3600)).toBeNull();
    const tooLong = jwt.sign({ sub: 'u1', iat: now - 60, exp: now + 25 * 3600 }, SECRET, {
      noTimestamp: true,
    });
    expect(verifyToken(SECRET, tooLong)).toBeNull();
    // A back-dated iat does not stretch the lifetime either.
    const backDated = jwt.sign({ sub: 'u1', iat: now - 3600, exp: now + 30 }, SECRET);
    expect(verifyToken(SECRET, backDated, 600)).toBeNull();
    const verified = authenticate(SECRET, `Bearer ${signToken(SECRET, { userId: 'u1', role: 'USER' }, 60)}`);
    expect(verified).toMatchObject({ actor: { userId: 'u1' } });
    expect('expiresAt' in verified && verified.expiresAt.getTime()).toBeCloseTo((now + 60) * 1000, -4);
  });

  it('treats a missing header as anonymous and a bad one as invalid', () => {
    expect(authenticate(SECRET, undefined)).toEqual({ actor: null, invalid: false });
    expect(authenticate(SECRET, 'Bearer nope')).toEqual({ actor: null, invalid: true });
    expect(authenticate(SECRET, 'Basic abc')).toEqual({ actor: null, invalid: true });
  });

  describe('verified tokens are remembered', () => {
    afterEach(() => vi.useRealTimers());

    it('a remembered token still stops working at its expiry', () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const token = signToken(SECRET, { userId: 'u1', role: 'USER' }, 60);
      expect(verifyToken(SECRET, token)).toEqual({ userId: 'u1', role: 'USER' });
      vi.setSystemTime(Date.now() + 59_000);
      expect(verifyToken(SECRET, token)).toEqual({ userId: 'u1', role: 'USER' });
      vi.setSystemTime(Date.now() + 2_000);
      expect(verifyToken(SECRET, token)).toBeNull();
    });

    it('per secret and lifetime limit: a token remembered under one is checked afresh under another', () => {
      const token = signToken(SECRET, { userId: 'u1', role: 'USER' }, 7200);
      expect(verifyToken(SECRET, token)).not.toBeNull();
      expect(verifyToken('other'.repeat(10), token)).toBeNull();
      expect(verifyToken(SECRET, token, 3600)).toBeNull();
      expect(verifyToken(SECRET, token)).not.toBeNull();
    });
  });
});
