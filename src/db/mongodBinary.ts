/**
 * Finds a mongod binary already on disk for mongodb-memory-server, without touching the network:
 * `MONGOMS_SYSTEM_BINARY`, then its download cache directories. Synchronous directory listings
 * only; takes milliseconds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BINARY_NAME = /^mongod(-[\w.-]+)?(\.exe)?$/;

function isExecutableFile(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The cache directories mongodb-memory-server downloads into, most specific first. */
export function binaryCacheDirs(cwd = process.cwd(), env = process.env): string[] {
  return [
    env.MONGOMS_DOWNLOAD_DIR,
    path.join(cwd, 'node_modules', '.cache', 'mongodb-memory-server'),
    path.join(os.homedir(), '.cache', 'mongodb-binaries'),
    path.join(cwd, 'mongodb-binaries'),
  ].filter((d): d is string => typeof d === 'string' && d.length > 0);
}

export interface FoundBinary {
  path: string;
  /** Where it was found, for the startup log line. */
  source: string;
}

/** A usable mongod binary, or undefined. Never downloads anything. */
export function findMongodBinary(cwd = process.cwd(), env = process.env): FoundBinary | undefined {
  const system = env.MONGOMS_SYSTEM_BINARY;
  if (system && isExecutableFile(system)) return { path: system, source: 'MONGOMS_SYSTEM_BINARY' };
  for (const dir of binaryCacheDirs(cwd, env)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort().reverse()) {
      const candidate = path.join(dir, name);
      if (BINARY_NAME.test(name) && isExecutableFile(candidate)) return { path: candidate, source: `binary cache ${dir}` };
      // Older layouts: <dir>/<version>/mongod
      const nested = path.join(candidate, 'mongod');
      if (isExecutableFile(nested)) return { path: nested, source: `binary cache ${dir}` };
    }
  }
  return undefined;
}
