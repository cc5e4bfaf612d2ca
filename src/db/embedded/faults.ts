/**
 * Injected faults, for tests of what a client does when the database misbehaves:
 *
 * - mongod's `failCommand` fail point (`configureFailPoint`, as with `enableTestCommands`): the
 *   listed commands fail with an error code, get a write concern error, close the connection, or
 *   are held for a while; for every call (`alwaysOn`), the next n (`{ times }`), or after n
 *   (`{ skip }`); optionally only for one `appName`.
 * - A hung server (`EmbeddedMongoServer.hang()`): connections are accepted and requests read,
 *   but nothing is answered until `unhang()`.
 */
import type { Document } from 'bson';
import { CommandError, unsupported } from './errors';

/** What a fail point does to one command. */
export type FaultAction =
  | { kind: 'error'; reply: Document }
  | { kind: 'close' }
  | { kind: 'writeConcernError'; error: Document }
  | { kind: 'block'; ms: number; then?: FaultAction };

interface FailCommand {
  commands: Set<string>;
  mode: { kind: 'alwaysOn' } | { kind: 'times'; left: number } | { kind: 'skip'; left: number } | { kind: 'probability'; p: number };
  data: Document;
  appName?: string;
  namespace?: string;
}

/** Commands a fail point never fails (mongod exempts them too). */
const EXEMPT = new Set(['configureFailPoint', 'hello', 'isMaster', 'ismaster']);

export class FailPoints {
  private failCommand?: FailCommand;
  private hits = 0;

  /** The `configureFailPoint` command. Only `failCommand` exists here. */
  configure(cmd: Document): Document {
    const name = cmd.configureFailPoint;
    if (name !== 'failCommand') throw unsupported(`the fail point '${String(name)}' (only 'failCommand' is implemented)`);
    const previous = this.hits;
    const mode = cmd.mode;
    if (mode === 'off') {
      this.failCommand = undefined;
      this.hits = 0;
      return { count: previous, ok: 1 };
    }
    const data = (cmd.data ?? {}) as Document;
    const commands = data.failCommands;
    if (!Array.isArray(commands) || !commands.every((c) => typeof c === 'string')) {
      throw CommandError.of('BadValue', "failCommand fail point requires 'failCommands' as an array of command names");
    }
    let parsed: FailCommand['mode'];
    if (mode === 'alwaysOn') parsed = { kind: 'alwaysOn' };
    else if (mode && typeof mode === 'object' && typeof (mode as Document).times === 'number') parsed = { kind: 'times', left: (mode as Document).times };
    else if (mode && typeof mode === 'object' && typeof (mode as Document).skip === 'number') parsed = { kind: 'skip', left: (mode as Document).skip };
    else if (mode && typeof mode === 'object' && typeof (mode as Document).activationProbability === 'number') {
      parsed = { kind: 'probability', p: (mode as Document).activationProbability };
    } else throw CommandError.of('BadValue', `invalid fail point mode: ${JSON.stringify(mode)}`);
    for (const k of Object.keys(data)) {
      if (!['failCommands', 'errorCode', 'closeConnection', 'writeConcernError', 'errorLabels', 'blockConnection', 'blockTimeMS', 'appName', 'namespace', 'errmsg', 'failInternalCommands', 'errorExtraInfo'].includes(k)) {
        throw unsupported(`the failCommand option '${k}'`);
      }
    }
    this.failCommand = { commands: new Set(commands as string[]), mode: parsed, data, appName: data.appName, namespace: data.namespace };
    this.hits = 0;
    return { count: previous, ok: 1 };
  }

  /** Whether the fail point fires for this command (counting it when it does). */
  private fires(fc: FailCommand, name: string, cmd: Document, db: string, appName: string | undefined): boolean {
    if (EXEMPT.has(name) || !fc.commands.has(name)) return false;
    if (fc.appName !== undefined && fc.appName !== appName) return false;
    if (fc.namespace !== undefined && fc.namespace !== `${db}.${String(cmd[name])}`) return false;
    switch (fc.mode.kind) {
      case 'alwaysOn':
        break;
      case 'probability':
        if (Math.random() >= fc.mode.p) return false;
        break;
      case 'skip':
        if (fc.mode.left > 0) {
          fc.mode.left--;
          return false;
        }
        break;
      case 'times':
        if (fc.mode.left <= 0) return false;
        if (--fc.mode.left === 0) this.failCommand = undefined;
        break;
    }
    this.hits++;
    return true;
  }

  /** What happens to a command about to run (undefined: nothing). */
  check(cmd: Document, db: string, appName: string | undefined): FaultAction | undefined {
    const fc = this.failCommand;
    const name = Object.keys(cmd)[0];
    if (!fc || name === undefined || !this.fires(fc, name, cmd, db, appName)) return undefined;
    const d = fc.data;
    const after = this.effect(d);
    if (d.blockConnection === true) return { kind: 'block', ms: typeof d.blockTimeMS === 'number' ? d.blockTimeMS : 0, then: after };
    return after;
  }

  private effect(d: Document): FaultAction | undefined {
    if (d.closeConnection === true) return { kind: 'close' };
    if (typeof d.errorCode === 'number') {
      return {
        kind: 'error',
        reply: {
          ok: 0,
          errmsg: typeof d.errmsg === 'string' ? d.errmsg : "Failing command via 'failCommand' failpoint",
          code: d.errorCode,
          ...(Array.isArray(d.errorLabels) ? { errorLabels: d.errorLabels } : {}),
          ...((d.errorExtraInfo as Document | undefined) ?? {}),
        },
      };
    }
    if (d.writeConcernError && typeof d.writeConcernError === 'object') return { kind: 'writeConcernError', error: d.writeConcernError as Document };
    return undefined;
  }

  clear(): void {
    this.failCommand = undefined;
    this.hits = 0;
  }
}
