import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '../config';
import { ensureDatabase } from '../database/database';
import { ormOptions } from '../database/mikro-orm.config';

/** Diffs the entities against the database and writes a migration file under src/migrations. */
async function main(): Promise<void> {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const orm = await MikroORM.init(ormOptions(config.databaseUrl));
  try {
    await orm.getMigrator().up();
    const name = process.argv[2];
    const result = await orm.getMigrator().createMigration(undefined, false, false, name);
    if (!result.fileName) {
      console.log('No changes: the entities match the database.');
      return;
    }
    const className = result.fileName.replace(/\.ts$/, '');
    console.log(`Wrote src/migrations/${result.fileName}`);
    console.log(
      `Add it to src/migrations/index.ts: { name: '${className}', class: ${className.replace(/-/g, '_')} }`,
    );
  } finally {
    await orm.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
