import { parseArgs } from 'node:util';
import { signToken } from '../api/auth';
import { loadConfig } from '../config';

/** `npm run token -- --user ID [--role ADMIN] [--expires 12h]`: prints a signed JWT for local use. */
function main(): void {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      role: { type: 'string', default: 'USER' },
      expires: { type: 'string', default: '12h' },
    },
  });
  const role = values.role?.toUpperCase();
  if (!values.user || (role !== 'USER' && role !== 'ADMIN')) {
    console.error('usage: npm run token -- --user ID [--role USER|ADMIN] [--expires 12h]');
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
  console.log(signToken(config.auth.jwtSecret, { userId: values.user, role }, values.expires as never));
}

main();
