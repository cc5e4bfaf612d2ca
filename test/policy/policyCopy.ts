/** Test helper: a temp copy of policies/ (without the test tables) that a test may break. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const POLICY_DIR = join(__dirname, '../../policies');

export interface PolicyCopy {
  dir: string;
  /** Replace text in one file of the copy; fails if the text is not there (so a test cannot go stale). */
  edit(file: string, from: string | RegExp, to: string): void;
  write(file: string, text: string): void;
  remove(): void;
}

export function copyPolicies(): PolicyCopy {
  const dir = mkdtempSync(join(tmpdir(), 'policies-'));
  cpSync(POLICY_DIR, dir, { recursive: true, filter: (src) => !src.includes(`${join(POLICY_DIR, 'tests')}`) });
  return {
    dir,
    edit(file, from, to) {
      const path = join(dir, file);
      const text = readFileSync(path, 'utf8');
      const next = text.replace(from, to);
      if (next === text) throw new Error(`copyPolicies.edit: ${String(from)} not found in ${file}`);
      writeFileSync(path, next);
    },
    write(file, text) {
      writeFileSync(join(dir, file), text);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
