import { describe, expect, it } from 'vitest';
import { interpretInstreamReply } from '../../src/scanners/clamd/clamd-reply';

describe('interpretInstreamReply', () => {
  it('reads OK as clean', () => {
    expect(interpretInstreamReply('stream: OK')).toEqual({ outcome: 'clean' });
    expect(interpretInstreamReply('stream: OK\0')).toEqual({ outcome: 'clean' });
  });

  it('reads FOUND as infected with the signature name', () => {
    expect(interpretInstreamReply('stream: Eicar-Test-Signature FOUND')).toEqual({
      outcome: 'infected',
      threats: ['Eicar-Test-Signature'],
    });
    expect(
      interpretInstreamReply('stream: Win.Test.EICAR_HDB-1(44d88612fea8a8f36de82e1278abb02f:68) FOUND'),
    ).toEqual({
      outcome: 'infected',
      threats: ['Win.Test.EICAR_HDB-1(44d88612fea8a8f36de82e1278abb02f:68)'],
    });
  });

  it('reads the size limit reply as an error naming StreamMaxLength, never clean', () => {
    const outcome = interpretInstreamReply('INSTREAM size limit exceeded. ERROR');
    expect(outcome.outcome).toBe('error');
    expect(outcome).toMatchObject({ reason: expect.stringContaining('StreamMaxLength') });
  });

  it('reads any other ERROR as an error', () => {
    expect(interpretInstreamReply("stream: Can't create temporary file ERROR")).toEqual({
      outcome: 'error',
      reason: "clamd reported an error: stream: Can't create temporary file",
    });
  });

  it('treats empty and unexpected replies as errors', () => {
    expect(interpretInstreamReply('').outcome).toBe('error');
    expect(interpretInstreamReply('UNKNOWN COMMAND').outcome).toBe('error');
    expect(interpretInstreamReply('stream: OK\nsomething else').outcome).toBe('error');
  });
});
