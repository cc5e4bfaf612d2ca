/**
 * The checked-in SDL (schema/*.graphql) must be what the code builds, so every change to what an
 * audience (above all a partner) can see shows up in review as a diff of these files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audienceSdl } from '../../src/server/emitSchemas';

const root = join(__dirname, '../..');
const built = audienceSdl(join(root, 'policies'));
const checkedIn = readdirSync(join(root, 'schema')).filter((f) => f.endsWith('.graphql')).sort();
const FIX = 'run `npm run schema:emit` (then `npm run codegen`) and commit the result';

describe('schema/ files', () => {
  it('has one file per audience and agreement, and no stale ones', () => {
    expect(checkedIn, `schema/ differs from the built audiences: ${FIX}`).toEqual([...built.keys()].sort());
  });

  it('has the staff audience and the demo partner', () => {
    expect([...built.keys()]).toEqual(expect.arrayContaining(['staff.graphql', 'partner-shipfast.graphql']));
  });

  for (const [name, sdl] of built) {
    it(`${name} matches the built schema`, () => {
      const onDisk = checkedIn.includes(name) ? readFileSync(join(root, 'schema', name), 'utf8') : '(missing)';
      expect(onDisk, `schema/${name} is out of date: ${FIX}`).toBe(sdl);
    });
  }
});
