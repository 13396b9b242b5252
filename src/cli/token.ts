import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import { signToken } from '../api/auth';
import { loadConfig } from '../config';

const DEFAULT_LIFETIME_SECONDS = 12 * 3600;
const USAGE = 'usage: npm run token -- --user ID [--role USER|ADMIN] [--expires 12h]';

/**
 * `npm run token -- --user ID [--role ADMIN] [--expires 12h]`: prints a signed JWT for local use.
 * Its lifetime defaults to 12 h (or JWT_MAX_TTL_SECONDS when that is shorter); a longer one than
 * the server accepts is refused here rather than minted and rejected later.
 */
function main(): void {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      role: { type: 'string', default: 'USER' },
      expires: { type: 'string' },
    },
  });
  const role = values.role?.toUpperCase();
  if (!values.user || (role !== 'USER' && role !== 'ADMIN')) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = loadConfig();
  if (config.auth.jwtSecretIsEphemeral) {
    console.error(
      'JWT_SECRET is not set: this token is signed with a throw-away key and no server will accept it.',
    );
    console.error('Set JWT_SECRET to the same value the server uses (npm start prints a token it accepts).');
    process.exit(2);
  }
  const maxSeconds = config.auth.maxTokenTtlSeconds;
  // A bare number is seconds, as for jsonwebtoken; "12h", "30m", "7d" go through its parser.
  const expires = values.expires ?? Math.min(DEFAULT_LIFETIME_SECONDS, maxSeconds);
  let token: string;
  try {
    token = signToken(
      config.auth.jwtSecret,
      { userId: values.user, role },
      (/^\d+$/.test(String(expires)) ? Number(expires) : expires) as never,
    );
  } catch {
    console.error(`--expires: expected a lifetime such as 3600, 30m or 12h\n${USAGE}`);
    process.exit(2);
  }
  const { exp, iat } = jwt.decode(token) as { exp: number; iat: number };
  if (exp - iat > maxSeconds || exp <= iat) {
    console.error(`--expires: must be more than 0 and at most JWT_MAX_TTL_SECONDS (${maxSeconds} s)`);
    process.exit(2);
  }
  console.log(token);
}

main();
