import { join } from 'node:path';
import type { AppServices } from '../server/appServices';
import { PartnerRegistry } from './partnerRegistry';

const registries = new WeakMap<AppServices, PartnerRegistry>();

/**
 * The partner registry of a running gateway, loaded on first use from `<policiesDir>/partners` against
 * `services.policies` (throws PolicyLoadError on a bad agreement: refuse to start). From then on
 * `services.policies` is the policy set with the partner roles, replaced as a whole on every reload.
 */
export function registryOfServices(services: AppServices): PartnerRegistry {
  let registry = registries.get(services);
  if (!registry) {
    registry = PartnerRegistry.load(join(services.config.policiesDir, 'partners'), services.policies);
    services.policies = registry.policies;
    registry.on('policies', (next: AppServices['policies']) => {
      services.policies = next;
    });
    registries.set(services, registry);
  }
  return registry;
}
