/**
 * The agreements in force, and the policy set with one role per agreement: loaded at start (a bad
 * file: the process refuses to start), then reloaded on SIGHUP or a file change (a bad file keeps
 * its last good version, and the reason is logged).
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { AppServices } from '../core/context';
import type { PolicySet } from '../core/policyModel';
import { logger } from '../logger';
import { compileRole, type RoleFile } from '../policy';
import { AGREEMENT_ACTIONS, AGREEMENT_SUBJECTS, agreementStatus, type Agreement, type AgreementStatus } from './agreement';
import { loadAgreement } from './loadAgreement';

/** The role id a partner's agreement becomes in the policy set (`:` never appears in role file names). */
export const partnerRoleId = (partnerId: string): string => `partner:${partnerId}`;

/**
 * The agreement as a partner role: for each purpose, read (and update) rules on exactly the granted
 * attributes, limited to the task's rows (every agreement purpose requires a task).
 */
export function agreementRoleFile(a: Agreement): RoleFile {
  const reason = `Agreement ${a.id} v${a.version} (${a.legalName}) grants it for tasks assigned to partner:${a.id}.`;
  const rules: RoleFile['purposes'][string]['rules'] = [];
  for (const subject of AGREEMENT_SUBJECTS) {
    for (const action of AGREEMENT_ACTIONS) {
      const fields = a.grants[subject][action];
      if (fields.length) rules.push({ action, subject, fields, scope: 'task', inverted: false, reason });
    }
  }
  return {
    role: a.id,
    description: `Subcontractor ${a.legalName}, agreement v${a.version}`,
    kind: 'partner',
    partner: a.id,
    purposes: Object.fromEntries(a.purposes.map((p) => [p, { rules }])),
  };
}

/**
 * A new PolicySet: the internal policy plus one partner role per agreement (id `partner:<id>`).
 * Partner roles apply only to partner principals whose `partner` claim matches (see rolesOf).
 */
export function withPartnerRoles(base: PolicySet, agreements: Iterable<Agreement>): PolicySet {
  const roles = new Map(base.roles);
  const compiled = new Map(base.compiled);
  const hash = createHash('sha256').update(base.version);
  for (const a of agreements) {
    const { role, compiled: rules } = compileRole(a.file, agreementRoleFile(a), { purposes: base.purposes, fields: base.fields });
    const id = partnerRoleId(a.id);
    roles.set(id, { ...role, id });
    compiled.set(id, rules);
    hash.update('\0').update(`${a.id}@${a.version}#${a.termsHash}`);
  }
  return { ...base, roles, compiled, version: hash.digest('hex').slice(0, 16) };
}

/** What one reload did. */
export interface ReloadReport {
  /** Partners whose agreement was (re)loaded with a new version or a new status. */
  loaded: string[];
  /** Files refused: the last good version (if any) stays in force. */
  rejected: { file: string; error: string }[];
  /** Partners whose file disappeared: their requests are refused from now on. */
  removed: string[];
}

const AGREEMENT_FILE = /^[a-z][a-z0-9-]*\.ya?ml$/;

function agreementFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => AGREEMENT_FILE.test(f)).sort() : [];
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The subcontractor agreements in force (policies/partners/*.yaml) and the policy set with their roles.
 * Loaded once at startup (any bad file: the process refuses to start); then reloaded on demand, on
 * SIGHUP or on a file change: a bad file keeps its last good version and the reason is logged.
 * Events: `reloaded` (ReloadReport), `policies` (the new PolicySet).
 */
export class PartnerRegistry extends EventEmitter {
  private agreements = new Map<string, Agreement>();
  private current: PolicySet;
  private closers: (() => void)[] = [];

  private constructor(readonly dir: string, private base: PolicySet) {
    super();
    this.current = base;
  }

  /** Load every agreement in `dir`; throws PolicyLoadError on the first bad file. */
  static load(dir: string, base: PolicySet): PartnerRegistry {
    const registry = new PartnerRegistry(dir, base);
    for (const name of agreementFiles(dir)) {
      const a = loadAgreement(join(dir, name), base);
      registry.agreements.set(a.id, a);
    }
    registry.current = withPartnerRoles(base, registry.agreements.values());
    return registry;
  }

  /** The internal policy plus the partner roles: what requests are decided with. */
  get policies(): PolicySet {
    return this.current;
  }

  get(partnerId: string): Agreement | undefined {
    return this.agreements.get(partnerId);
  }

  list(): Agreement[] {
    return [...this.agreements.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** In force, or why not (missing, revoked, expired, not yet in force). */
  status(partnerId: string | undefined, now: Date = new Date()): AgreementStatus {
    return agreementStatus(partnerId ? this.agreements.get(partnerId) : undefined, now);
  }

  /**
   * Re-read the folder. Each file is validated on its own: a bad one keeps the last good version of
   * that partner. Terms (purposes, fields, operations) that changed without a new agreement version
   * are refused too, so a schema is never built twice for one version.
   */
  reload(): ReloadReport {
    const report: ReloadReport = { loaded: [], rejected: [], removed: [] };
    const next = new Map<string, Agreement>();
    const seen = new Set<string>();
    for (const name of agreementFiles(this.dir)) {
      const file = join(this.dir, name);
      const id = name.replace(/\.ya?ml$/, '');
      seen.add(id);
      const previous = this.agreements.get(id);
      try {
        const a = loadAgreement(file, this.base);
        if (previous && previous.version === a.version && previous.termsHash !== a.termsHash) {
          throw new Error(`${file}: agreement.version: the terms changed but the version did not; give the new terms a new version`);
        }
        next.set(a.id, a);
        if (!previous || previous.version !== a.version || !sameLifecycle(previous, a)) report.loaded.push(a.id);
      } catch (err) {
        report.rejected.push({ file, error: errorText(err) });
        logger.error('partner agreement rejected; the last good version stays in force', { file, error: errorText(err), kept: previous ? previous.version : null });
        if (previous) next.set(id, previous);
      }
    }
    for (const id of this.agreements.keys()) {
      if (!seen.has(id)) {
        report.removed.push(id);
        logger.warn('partner agreement file removed: the partner is refused from now on', { partner: id });
      }
    }
    this.agreements = next;
    this.current = withPartnerRoles(this.base, next.values());
    for (const id of report.loaded) {
      const a = next.get(id)!;
      const status = agreementStatus(a);
      logger.info('partner agreement loaded', { partner: id, version: a.version, status: status.active ? 'active' : status.reason });
    }
    this.emit('policies', this.current);
    this.emit('reloaded', report);
    return report;
  }

  /**
   * Reload when a file in the folder changes (debounced) and on SIGHUP. Returns a function that stops both.
   * `debounceMs` (default 100) groups the several events an editor's save produces.
   */
  watch(opts: { signal?: boolean; debounceMs?: number } = {}): () => void {
    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.reload(), opts.debounceMs ?? 100);
      timer.unref();
    };
    let watcher: FSWatcher | undefined;
    if (existsSync(this.dir)) {
      watcher = watch(this.dir, { persistent: false }, schedule);
      watcher.on('error', (err) => logger.warn('partner agreements: file watch failed; reload with SIGHUP', { error: err.message }));
    }
    const onHup = () => {
      logger.info('SIGHUP: reloading partner agreements', { dir: this.dir });
      this.reload();
    };
    if (opts.signal !== false) process.on('SIGHUP', onHup);
    const close = () => {
      clearTimeout(timer);
      watcher?.close();
      process.off('SIGHUP', onHup);
    };
    this.closers.push(close);
    return close;
  }

  /**
   * A policy reload: the internal policy is replaced by `base` and the partner roles rebuilt on it.
   * Throws (and changes nothing) when an agreement in force does not compile against it (e.g. a
   * purpose it names is gone). Emits `policies`; returns the new policy set.
   */
  rebase(base: PolicySet): PolicySet {
    const next = withPartnerRoles(base, this.agreements.values());
    this.base = base;
    this.current = next;
    this.emit('policies', next);
    return next;
  }

  /** Stop every watch started by `watch()`. */
  close(): void {
    for (const c of this.closers.splice(0)) c();
  }
}

function sameLifecycle(a: Agreement, b: Agreement): boolean {
  return a.expiresAt.getTime() === b.expiresAt.getTime() && a.signedAt.getTime() === b.signedAt.getTime()
    && (a.revoked?.at.getTime() ?? null) === (b.revoked?.at.getTime() ?? null);
}

const registries = new WeakMap<AppServices, PartnerRegistry>();

/**
 * Loads the registry of a gateway from `<policiesDir>/partners` against `services.policies` (throws
 * PolicyLoadError on a bad agreement: refuse to start) and watches it. From then on
 * `services.policies` is the policy set with the partner roles, replaced as a whole on every reload.
 */
export function startRegistry(services: AppServices): PartnerRegistry {
  let registry = registries.get(services);
  if (!registry) {
    registry = PartnerRegistry.load(join(services.config.policiesDir, 'partners'), services.policies);
    services.policies = registry.policies;
    registry.on('policies', (next: AppServices['policies']) => {
      services.policies = next;
    });
    registry.watch();
    registries.set(services, registry);
  }
  return registry;
}

/** The registry of a running gateway (started by the partners capability). */
export function registryOf(services: AppServices): PartnerRegistry {
  const registry = registries.get(services);
  if (!registry) throw new Error('partners: the agreement registry was not started');
  return registry;
}
