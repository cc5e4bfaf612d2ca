/**
 * Policy reload while running: a change to `purposes.yaml`, `fields.yaml` or `roles/*.yaml` in the
 * policies directory (or SIGHUP) reloads the whole set, debounced. The new set is validated as a
 * whole (every file, every cross reference, every partner agreement in force compiled against it)
 * before it replaces the running one in one assignment; if anything is wrong, the last good policy
 * stays in force and an error is logged naming the file, the key path and the rule. A change to
 * the attribute catalogue (the field paths of fields.yaml) is refused too: the schemas and guards
 * are built from it, so that needs a restart. Partner agreements reload on their own (partners/).
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { AppServices } from '../core/context';
import type { PolicySet } from '../core/policyModel';
import { logger } from '../logger';
import { metrics } from '../metrics';
import { registryOf } from '../partners';
import { loadPolicies } from '../policy';

export interface PolicyReloadOptions {
  /** Wait this long after the last file event before reloading (an editor's save is several events). Default 200 ms. */
  debounceMs?: number;
  /** Also reload on SIGHUP. Default true. */
  signal?: boolean;
}

export type ReloadOutcome = { ok: true; version: string } | { ok: false; error: string };

function sameFieldPaths(a: PolicySet, b: PolicySet): boolean {
  const x = [...a.fields.keys()].sort().join('\n');
  return x === [...b.fields.keys()].sort().join('\n');
}

/** The partner agreement registry, when the partners capability runs in this gateway. */
function partnerRegistry(services: AppServices): ReturnType<typeof registryOf> | null {
  try {
    return registryOf(services);
  } catch {
    return null;
  }
}

/** One reload of `services.policies` from its directory; never throws. */
export function reloadPolicies(services: AppServices): ReloadOutcome {
  const dir = services.config.policiesDir;
  try {
    const next = loadPolicies(dir);
    if (!sameFieldPaths(next, services.policies)) {
      throw new Error(`${join(dir, 'fields.yaml')}: attributes: the attribute catalogue changed; the schemas are built from it, so restart the gateway to apply it`);
    }
    // The partner roles are rebuilt on the new set; an agreement that no longer compiles refuses the reload.
    const registry = partnerRegistry(services);
    const withPartners: PolicySet = registry ? registry.rebase(next) : next;
    if (next.version === services.policies.version && withPartners === next) return { ok: true, version: next.version };
    services.policies = withPartners;
    metrics.setPurposes(next.purposes.keys());
    logger.info('policies reloaded', { version: withPartners.version, dir });
    return { ok: true, version: withPartners.version };
  } catch (err) {
    const error = (err as Error).message;
    logger.error('policy reload rejected; the last good policy stays in force', { dir, error, version: services.policies.version });
    return { ok: false, error };
  }
}

/** Watches the policies directory and its roles/ folder; returns the function that stops watching. */
export function watchPolicies(services: AppServices, opts: PolicyReloadOptions = {}): () => void {
  const dir = services.config.policiesDir;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (_event?: string, file?: string | Buffer | null) => {
    if (typeof file === 'string' && !/\.ya?ml$/.test(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => reloadPolicies(services), opts.debounceMs ?? 200);
    timer.unref();
  };
  const watchers: FSWatcher[] = [];
  for (const d of [dir, join(dir, 'roles')]) {
    if (!existsSync(d)) continue;
    const w = watch(d, { persistent: false }, schedule);
    w.on('error', (err) => logger.warn('policies: file watch failed; reload with SIGHUP', { dir: d, error: err.message }));
    watchers.push(w);
  }
  const onHup = () => schedule();
  if (opts.signal !== false) process.on('SIGHUP', onHup);
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
    process.off('SIGHUP', onHup);
  };
}
