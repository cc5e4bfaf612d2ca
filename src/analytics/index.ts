/** Analytics: counts of consenting customers by group, withheld below the purpose's k (docs/analytics.md). */
import type { Capability } from '../core/capability';
import { StatsResolver } from './resolvers';

export const analyticsCapability: Capability = {
  name: 'analytics',
  // customerStats needs a declared, allowed purpose (unlisted: fail closed); the policy decides what it may group.
  resolvers: { staff: [StatsResolver] },
};

export { StatDimension } from './dimensions';
