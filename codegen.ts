/**
 * `npm run codegen`: typed operations (TypedDocumentNode) for each audience, from the checked-in SDL.
 *
 *   test/operations/<audience>/*.graphql  +  schema/<audience>.graphql  →  test/operations/generated/<audience>.ts
 *
 * <audience> is `staff`, `self` or `partner-<id>`; a folder without a schema file is an error. Runs
 * offline (local files only). After `npm run schema:emit` changes a schema, run `npm run codegen`;
 * test/operations/codegen.test.ts fails while the generated files are stale.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

const OPERATIONS = 'test/operations';
const GENERATED = `${OPERATIONS}/generated`;

function audiences(root: string): string[] {
  const dir = join(root, OPERATIONS);
  return readdirSync(dir)
    .filter((name) => name !== 'generated' && statSync(join(dir, name)).isDirectory())
    .sort();
}

/** The codegen configuration for a checkout at `root` (default: the working directory). */
export function codegenConfig(root: string = process.cwd()): CodegenConfig {
  const generates: CodegenConfig['generates'] = {};
  for (const audience of audiences(root)) {
    const schema = join(root, 'schema', `${audience}.graphql`);
    if (!existsSync(schema)) throw new Error(`codegen: ${OPERATIONS}/${audience}/ has no schema/${audience}.graphql (run npm run schema:emit)`);
    generates[join(root, GENERATED, `${audience}.ts`)] = {
      schema,
      documents: join(root, OPERATIONS, audience, '*.graphql'),
      plugins: ['typescript-operations', 'typed-document-node'],
      config: { useTypeImports: true, enumsAsTypes: true, avoidOptionals: false, scalars: { DateTimeISO: 'string' } },
    };
  }
  return { overwrite: true, silent: true, errorsOnly: true, generates };
}

export default codegenConfig();
