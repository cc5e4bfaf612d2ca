/**
 * The lifecycle's services on a running gateway: the retention schedule (loaded once, checked
 * against the manifests) and what the disposal job needs, all from the AppServices.
 */
import type { Capability } from '../core/capability';
import type { AppServices } from '../core/context';
import { erasureServicesOf } from '../erasure';
import { PolicyLoadError } from '../policy';
import type { DisposalServices } from './disposal/run';
import { loadRetention, type RetentionSchedule } from './retention/schedule';

/**
 * Every rule's data must live where the manifests say: a customer-data store (`stores`) or a record
 * source (`records`). A capability that renames a collection then fails the start, instead of its
 * data silently escaping retention.
 */
export function checkAgainstManifests(schedule: RetentionSchedule, capabilities: readonly Capability[]): void {
  const stores = new Set(capabilities.flatMap((c) => (c.stores ?? []).map((s) => s.collection)));
  const records = new Set(capabilities.flatMap((c) => (c.records ?? []).map((s) => s.collection)));
  for (const rule of schedule.rules) {
    const { kind } = rule;
    const missing = (kind.declared === 'store' && !stores.has(kind.collection)) || (kind.declared === 'record' && !records.has(kind.collection));
    if (missing) {
      throw new PolicyLoadError(schedule.file, `rules.${rule.id}.data`, `data kind ${kind.id} lives in collection ${kind.collection}, which no capability declares as ${kind.declared === 'store' ? 'a customer-data store' : 'a record source'}`);
    }
  }
}

const schedules = new WeakMap<AppServices, RetentionSchedule>();

/** The retention schedule of a gateway (policies/retention.yaml under POLICIES_DIR), loaded and checked once. */
export function scheduleOf(app: AppServices): RetentionSchedule {
  let schedule = schedules.get(app);
  if (!schedule) {
    schedule = loadRetention(app.config.policiesDir);
    checkAgainstManifests(schedule, app.capabilities);
    schedules.set(app, schedule);
  }
  return schedule;
}

export function disposalServicesOf(app: AppServices): DisposalServices {
  return {
    conn: app.conn,
    erasure: erasureServicesOf(app),
    schedule: scheduleOf(app),
    records: app.capabilities.flatMap((c) => c.records ?? []),
    leaseMs: app.config.disposalLeaseMs,
  };
}
