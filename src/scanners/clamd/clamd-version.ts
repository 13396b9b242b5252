/** What clamd's `VERSION` reply says about the engine and its signature database. */
export interface ClamdVersion {
  /** The engine, e.g. `1.4.6`. */
  engine: string;
  /** The daily database's version, e.g. 27002; absent when clamd runs without an official database. */
  database?: number;
  /** When that database was built. */
  databaseDate?: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Reads `ClamAV 1.4.6/27002/Tue Dec  1 08:45:36 2026` (or `ClamAV 1.4.6` with no official
 * database). clamd prints the date in ctime format in its own time zone, which is read as UTC,
 * as servers run. Null for anything else.
 */
export function parseClamdVersion(reply: string): ClamdVersion | null {
  const match = /^ClamAV ([^\s/]+)(?:\/(\d+)(?:\/(.+))?)?$/.exec(reply.replace(/\0+$/, '').trim());
  if (!match) return null;
  const version: ClamdVersion = { engine: match[1]! };
  if (match[2]) version.database = Number(match[2]);
  const date = match[3] ? parseCtime(match[3]) : undefined;
  if (date) version.databaseDate = date;
  return version;
}

/** The signature version recorded with verdicts: engine and database, so either changing counts. */
export function clamdSignatureVersion(version: ClamdVersion): string {
  return version.database === undefined ? version.engine : `${version.engine}/${version.database}`;
}

function parseCtime(text: string): Date | undefined {
  const match = /^\w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(text.trim());
  if (!match) return undefined;
  const month = MONTHS.indexOf(match[1]!);
  if (month < 0) return undefined;
  const [day, hours, minutes, seconds, year] = match.slice(2).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(year, month, day, hours, minutes, seconds));
}
