import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** One file in a tar archive (ustar, as ClamAV's database containers are). */
function tarEntry(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) =>
    header.write(value, offset, length, 'ascii');
  field(0, 100, name);
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, `${data.length.toString(8).padStart(11, '0')}\0`);
  field(
    136,
    12,
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
  );
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding]);
}

export interface DailyDatabase {
  /** The daily version clamd's VERSION reports, e.g. 27002. */
  version: number;
  /** When it was built: VERSION reports this date. */
  builtAt: Date;
  /** `.hdb` lines (`md5:size:name`); at least one. */
  hdbLines?: string[];
}

/**
 * Writes `daily.cud` into a clamd database directory: ClamAV's unsigned container format (a
 * 512-byte `ClamAV-VDB:` header, then a gzipped tar with `daily.info` listing the files' sizes and
 * SHA-256). clamd loads it without a digital signature and reports its version and date in
 * `VERSION`, as it does for the official daily.cvd, so a test can play a signature update.
 */
export async function writeDailyDatabase(dir: string, daily: DailyDatabase): Promise<void> {
  const hdb = Buffer.from(
    `${(daily.hdbLines ?? ['00000000000000000000000000000000:1:Placeholder-Never-Matches']).join('\n')}\n`,
  );
  const stime = Math.floor(daily.builtAt.getTime() / 1000);
  const header = `ClamAV-VDB:${daily.builtAt.toUTCString()}:${daily.version}:1:90:x:x:tests:${stime}`.replace(
    /:(\d\d):(\d\d)( GMT)/,
    '-$1-$2$3',
  );
  const info = Buffer.from(
    `${header}\ndaily.hdb:${hdb.length}:${createHash('sha256').update(hdb).digest('hex')}\n`,
  );
  const tar = Buffer.concat([tarEntry('daily.info', info), tarEntry('daily.hdb', hdb), Buffer.alloc(1024)]);
  const head = Buffer.alloc(512, ' ');
  head.write(header, 'ascii');
  await writeFile(path.join(dir, 'daily.cud'), Buffer.concat([head, gzipSync(tar)]));
}
