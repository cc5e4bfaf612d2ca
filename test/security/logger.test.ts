import { afterEach, describe, expect, it } from 'vitest';
import { logger, setLogSink } from '../../src/logger';

let restore: ReturnType<typeof setLogSink> | null = null;
function capture(): string[] {
  const lines: string[] = [];
  restore = setLogSink((l) => lines.push(l));
  return lines;
}
afterEach(() => {
  if (restore) setLogSink(restore);
  restore = null;
});

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('logger redaction', () => {
  it('redacts the authorization header, top level or nested in headers', () => {
    const lines = capture();
    logger.info('request', { authorization: `Bearer ${JWT}`, headers: { authorization: `Bearer ${JWT}`, 'x-purpose': 'billing' } });
    const entry = JSON.parse(lines[0]);
    expect(entry.authorization).toBe('[redacted]');
    expect(entry.headers).toEqual({ authorization: '[redacted]', 'x-purpose': 'billing' });
    expect(lines[0]).not.toContain('c2lnbmF0dXJl');
  });

  it('scrubs bearer tokens and JWTs out of messages and string values', () => {
    const lines = capture();
    logger.warn(`upstream refused Bearer ${JWT}`, { error: `token ${JWT} expired` });
    expect(lines[0]).not.toContain('c2lnbmF0dXJl');
    expect(JSON.parse(lines[0]).msg).toBe('upstream refused Bearer [redacted]');
  });

  it('never writes GraphQL variables or attribute values, at any depth', () => {
    const lines = capture();
    logger.error('operation failed', {
      requestId: 'r1',
      request: { variables: { input: { paymentCard: { number: '4111111111111111' } } }, operationName: 'Update' },
      fields: [{ email: 'a@b.example', phone: '+33612345678', health: { notes: 'n' } }],
    });
    const entry = JSON.parse(lines[0]);
    expect(entry.request).toEqual({ variables: '[redacted]', operationName: 'Update' });
    expect(entry.fields).toEqual([{ email: '[redacted]', phone: '[redacted]', health: '[redacted]' }]);
    expect(lines[0]).not.toMatch(/4111|a@b\.example|33612345678/);
  });

  it('discloses a dev one-time code only through logger.unredacted, for the named key only', () => {
    const lines = capture();
    logger.info('code', { code: '123456' });
    logger.unredacted('info', 'code', { code: '123456', email: 'a@b.example' }, ['code']);
    expect(JSON.parse(lines[0]).code).toBe('[redacted]');
    expect(JSON.parse(lines[1])).toMatchObject({ code: '123456', email: '[redacted]' });
  });
});
