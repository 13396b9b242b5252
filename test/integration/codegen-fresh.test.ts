import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The generated TypeScript (the typed documents the pages and tests import)
 * must be what `npm run codegen` makes from the committed schema and operations today. The
 * schema test (schema-contract.test.ts) checks the committed schema against the served one.
 */
describe('generated client code', () => {
  it('is up to date with src/schema/schema.graphql and the operations (run `npm run codegen`)', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: path.join(ROOT, 'codegen.yml') });
    const previous = process.cwd();
    process.chdir(ROOT); // codegen.yml's paths are relative to the project root
    let outputs: { filename: string; content: string }[];
    try {
      outputs = await generate({ ...config, silent: true }, false);
    } finally {
      process.chdir(previous);
    }
    expect(outputs.length).toBeGreaterThan(1);
    for (const { filename, content } of outputs) {
      const committed = await readFile(path.resolve(ROOT, filename), 'utf8').catch(() => '(missing)');
      expect(committed, `${filename} is stale: run npm run codegen`).toBe(content);
    }
  });
});
