import 'reflect-metadata';
import { signToken } from './api/auth';
import { startApiServer } from './api/server';
import { RedisUnavailableError } from './app/redis';
import { closeServices, openServices } from './app/services';
import { Shutdown } from './app/shutdown';
import { ConfigError, loadConfig } from './config';
import { DatabaseUnavailableError } from './database/database';
import { startWorkers } from './jobs/workers';
import { consoleDestination, createLogger, routeConsoleThroughLogger } from './logger';
import { buildAppSchema } from './schema/build-schema';

const ROLES = ['all', 'api', 'worker'] as const;
type Role = (typeof ROLES)[number];

/** `node dist/main.js [all|api|worker]`: one process, one role (all = API and workers). */
async function main(): Promise<void> {
  const role = (process.argv[2] ?? 'all') as Role;
  if (!ROLES.includes(role)) exitWith(`Unknown role "${role}": expected one of ${ROLES.join(', ')}`);

  const config = loadConfig();
  const logger = createLogger(config.logLevel, { role }, consoleDestination(config));
  if (config.scan.usedDeprecatedMockName) {
    logger.warn('SCANNER_PROVIDER=mock is the old name of the built-in "signature" scanner; use signature');
  }
  routeConsoleThroughLogger(logger);
  const shutdown = new Shutdown(logger);
  shutdown.listen();
  // A library's stray rejection (a reconnecting client, say) is logged as JSON like everything
  // else instead of ending the process with a stack dump on stderr.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    process.exit(1);
  });

  const services = await openServices(config, logger);
  shutdown.add('connections', () => closeServices(services));

  if (role === 'all' || role === 'worker') {
    const workers = await startWorkers(services);
    shutdown.add('workers', () => workers.close());
  }

  if (role === 'all' || role === 'api') {
    const schema = await buildAppSchema();
    const api = await startApiServer(services, schema);
    shutdown.add('api', () => api.close());
    logger.info({ url: api.url }, 'GraphQL API ready');
    // 12 h, or less when JWT_MAX_TTL_SECONDS is shorter, so the server accepts its own token.
    const devTokenSeconds = Math.min(DEV_TOKEN_SECONDS, config.auth.maxTokenTtlSeconds);
    printWelcome(
      api.url,
      config.isProduction
        ? null
        : signToken(config.auth.jwtSecret, { userId: 'dev-admin', role: 'ADMIN' }, devTokenSeconds),
      devTokenSeconds,
      config.graphqlIde.graphiql,
    );
  }
}

const DEV_TOKEN_SECONDS = 12 * 3600;

function printWelcome(
  url: string,
  adminToken: string | null,
  lifetimeSeconds: number,
  graphiql: boolean,
): void {
  const origin = new URL(url).origin;
  const lines = [
    ``,
    `  Upload page: ${origin}/`,
    `  GraphQL:     ${url}`,
    `  WebSocket:   ${url.replace(/^http/, 'ws')}`,
  ];
  if (graphiql) lines.push(`  GraphiQL:    ${origin}/graphiql/`);
  if (adminToken) {
    // In the fragment: browsers never send it, so the token reaches no server or proxy log.
    const signedIn = `#token=${encodeURIComponent(adminToken)}`;
    const lifetime = lifetimeSeconds % 3600 === 0 ? `${lifetimeSeconds / 3600} h` : `${lifetimeSeconds} s`;
    lines.push(
      ``,
      `  Signed in as the dev admin (${lifetime}, this process only):`,
      `  Upload page: ${origin}/${signedIn}`,
      ``,
      `  Admin dev token: Authorization: Bearer ${adminToken}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

function exitWith(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

main().catch((error: unknown) => {
  // Operator mistakes get one clear line, not a stack trace.
  if (
    error instanceof ConfigError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof RedisUnavailableError
  ) {
    exitWith(error.message);
  }
  process.stderr.write(`Start-up failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
