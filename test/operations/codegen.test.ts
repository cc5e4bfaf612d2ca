/**
 * The generated typed documents (test/operations/generated/) must be what `npm run codegen` produces
 * from the checked-in SDL and the operations today. Codegen runs in memory here: local files only.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { codegenConfig } from '../../codegen';

const root = join(__dirname, '../..');

describe('generated operations', () => {
  it('are up to date with schema/ and test/operations/ (else run `npm run codegen`)', async () => {
    const config = codegenConfig(root);
    expect(Object.keys(config.generates).map((f) => relative(root, f)).sort()).toEqual(
      expect.arrayContaining(['test/operations/generated/partner-shipfast.ts', 'test/operations/generated/staff.ts']),
    );
    const outputs = (await generate({ ...config, cwd: root }, false)) as { filename: string; content: string }[];
    expect(outputs.length).toBe(Object.keys(config.generates).length);
    for (const out of outputs) {
      const name = relative(root, out.filename);
      let onDisk = '(missing)';
      try {
        onDisk = readFileSync(out.filename, 'utf8');
      } catch {
        // reported below
      }
      expect(onDisk, `${name} is stale: run \`npm run codegen\` and commit the result`).toBe(out.content);
    }
  });
});
