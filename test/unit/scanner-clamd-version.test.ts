import { describe, expect, it } from 'vitest';
import { clamdSignatureVersion, parseClamdVersion } from '../../src/scanners/clamd/clamd-version';

describe('parseClamdVersion', () => {
  it('reads the engine, the daily database version and its date', () => {
    const parsed = parseClamdVersion('ClamAV 1.4.6/27002/Tue Dec  1 08:45:36 2026\0');
    expect(parsed).toEqual({
      engine: '1.4.6',
      database: 27002,
      databaseDate: new Date('2026-12-01T08:45:36Z'),
    });
    expect(clamdSignatureVersion(parsed!)).toBe('1.4.6/27002');
  });

  it('reads a clamd without an official database as the engine version alone', () => {
    const parsed = parseClamdVersion('ClamAV 1.4.6');
    expect(parsed).toEqual({ engine: '1.4.6' });
    expect(clamdSignatureVersion(parsed!)).toBe('1.4.6');
  });

  it('leaves out a date it cannot read, and refuses what is not a VERSION reply', () => {
    expect(parseClamdVersion('ClamAV 1.0.7/27000/sometime')).toEqual({ engine: '1.0.7', database: 27000 });
    expect(parseClamdVersion('UNKNOWN COMMAND')).toBeNull();
    expect(parseClamdVersion('')).toBeNull();
  });
});
