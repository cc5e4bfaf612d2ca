import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { connectMongoose, redactUri, startDatabase } from '../../src/db/connect';
import { findMongodBinary } from '../../src/db/mongodBinary';
import { setLogSink } from '../../src/logger';

const savedEnv = { ...process.env };
let restoreSink: (() => void) | undefined;

function captureLogs(): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  const prev = setLogSink((line) => lines.push(JSON.parse(line)));
  restoreSink = () => setLogSink(prev);
  return lines;
}

afterEach(() => {
  restoreSink?.();
  restoreSink = undefined;
  process.env = { ...savedEnv };
});

function fakeExecutable(dir: string, name: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  return file;
}

describe('startDatabase', () => {
  it('uses a given connection string as is, logging it without credentials', async () => {
    const logs = captureLogs();
    const uri = 'mongodb://user:secret@db.example.test:27017/?tls=true&replicaSet=rs0';
    const handle = await startDatabase({ uri });
    expect(handle).toMatchObject({ uri, backend: 'uri' });
    await handle.stop();
    expect(logs).toHaveLength(1);
    expect(JSON.stringify(logs[0])).not.toContain('secret');
    expect(logs[0].msg).toContain('db.example.test:27017');
    expect(logs[0].backend).toBe('uri');
  });

  it('redacts credentials from URIs', () => {
    expect(redactUri('mongodb+srv://u:p@cluster0.example.test/db')).toBe('mongodb+srv://***@cluster0.example.test/db');
    expect(redactUri('mongodb://127.0.0.1:1/')).toBe('mongodb://127.0.0.1:1/');
  });

  it('without MONGODB_URI nor a mongod binary, starts the embedded store with a loud warning', async () => {
    delete process.env.MONGODB_URI;
    delete process.env.MONGOMS_SYSTEM_BINARY;
    const expected = findMongodBinary() ? 'memory-server' : 'embedded';
    const logs = captureLogs();
    const handle = await startDatabase();
    try {
      expect(handle.backend).toBe(expected);
      expect(logs).toHaveLength(1);
      expect(logs[0].backend).toBe(expected);
      expect(logs[0].reason).toBe(handle.reason);
      if (expected === 'embedded') {
        expect(handle.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
        expect(logs[0].level).toBe('warn');
        expect(logs[0].msg).toContain(handle.uri);
        expect(logs[0].msg).toContain('FOR DEVELOPMENT AND TESTS ONLY');
      }
      const conn = await connectMongoose(handle.uri, 'startup_check', { serverSelectionTimeoutMS: 5_000 });
      expect(conn.readyState).toBe(1);
      await conn.close();
    } finally {
      await handle.stop();
    }
  });

  it('falls back to the embedded store when the mongod binary found cannot start', async () => {
    delete process.env.MONGODB_URI;
    process.env.MONGOMS_SYSTEM_BINARY = fakeExecutable(fs.mkdtempSync(path.join(os.tmpdir(), 'mongod-')), 'mongod');
    const logs = captureLogs();
    const handle = await startDatabase();
    try {
      expect(handle.backend).toBe('embedded');
      expect(handle.reason).toContain('MONGOMS_SYSTEM_BINARY');
      expect(logs.filter((l) => l.backend)).toHaveLength(1);
      const client = await MongoClient.connect(handle.uri, { serverSelectionTimeoutMS: 5_000 });
      expect((await client.db('admin').command({ ping: 1 })).ok).toBe(1);
      await client.close();
    } finally {
      await handle.stop();
    }
  });
});

describe('findMongodBinary', () => {
  it('finds MONGOMS_SYSTEM_BINARY, then the download cache, and nothing otherwise', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mms-'));
    expect(findMongodBinary(root, { MONGOMS_DOWNLOAD_DIR: path.join(root, 'none') })).toEqual(
      findMongodBinary(path.join(root, 'elsewhere'), {}),
    );
    const cached = fakeExecutable(path.join(root, 'node_modules', '.cache', 'mongodb-memory-server'), 'mongod-x64-debian12-7.0.14');
    expect(findMongodBinary(root, {})).toEqual({ path: cached, source: expect.stringContaining('binary cache') });
    const system = fakeExecutable(path.join(root, 'bin'), 'mongod');
    expect(findMongodBinary(root, { MONGOMS_SYSTEM_BINARY: system })).toEqual({ path: system, source: 'MONGOMS_SYSTEM_BINARY' });
    const notExecutable = path.join(root, 'plain');
    fs.writeFileSync(notExecutable, '');
    expect(findMongodBinary(root, { MONGOMS_SYSTEM_BINARY: notExecutable })?.path).toBe(cached);
  });
});
