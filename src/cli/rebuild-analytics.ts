import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { closeServices, openServices } from '../app/services';
import { loadConfig } from '../config';
import { createLogger } from '../logger';

/**
 * `npm run analytics:rebuild -- --date YYYY-MM-DD [--days N]`: replaces the upload analytics of
 * those UTC days with what the audit trail in PostgreSQL records (after Redis lost its counters, say).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { date: { type: 'string' }, days: { type: 'string', default: '1' } },
  });
  const first = new Date(`${values.date ?? ''}T00:00:00Z`);
  const days = Number(values.days);
  if (!values.date || Number.isNaN(first.getTime()) || !Number.isInteger(days) || days < 1 || days > 366) {
    console.error('usage: npm run analytics:rebuild -- --date YYYY-MM-DD [--days 1..366]');
    process.exit(2);
  }
  const config = loadConfig();
  const services = await openServices(
    config,
    createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel),
  );
  try {
    for (let i = 0; i < days; i++) {
      const day = new Date(first.getTime() + i * 86_400_000);
      const result = await services.admin.rebuildDay(day);
      console.log(`${result.day}: ${result.rowsCounted} events counted (${result.rowsRead} read)`);
    }
  } finally {
    await closeServices(services);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
