import 'reflect-metadata';
import { buildAppSchema, SCHEMA_FILE } from '../schema/build-schema';

/** Writes the served schema's SDL to src/schema/schema.graphql (input to graphql-codegen). */
async function main(): Promise<void> {
  await buildAppSchema({ emitSchemaFile: SCHEMA_FILE });
  console.log(`Wrote ${SCHEMA_FILE}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
