import { createMongoAbility } from './casl';
import type { AppAbility, AppRawRule, PolicySet, PurposeDef } from './types';

/** What `decide` needs to explain a denial; kept beside each ability. */
export interface AbilityInfo {
  purpose: PurposeDef | null;
  purposeId: string;
}

const info = new WeakMap<AppAbility, AbilityInfo>();

/** The purpose an ability was built for (undefined for abilities not made here). */
export function abilityInfo(ability: AppAbility): AbilityInfo | undefined {
  return info.get(ability);
}

/** The never-readable attributes, denied last so that no rule (not even `manage`) can grant them. */
function neverReadableRules(policies: PolicySet): AppRawRule[] {
  if (!policies.neverReadable.length) return [];
  return [
    {
      action: 'read',
      subject: 'Customer',
      fields: policies.neverReadable,
      inverted: true,
      reason: `${policies.neverReadable.join(', ')}: write-only, nobody may ever read it`,
    },
  ];
}

/** Create an ability from rules plus the global never-readable denial, remembering its purpose. */
export function makeAbility(policies: PolicySet, rules: AppRawRule[], purposeId: string): AppAbility {
  const ability = createMongoAbility<AppAbility>([...rules, ...neverReadableRules(policies)]);
  info.set(ability, { purpose: policies.purposes.get(purposeId) ?? null, purposeId });
  return ability;
}
