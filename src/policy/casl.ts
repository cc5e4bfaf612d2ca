/** The one place that imports CASL; the rest of the policy layer imports it from here. */
export { createMongoAbility, subject } from '@casl/ability';
export type { ForcedSubject, MongoAbility, MongoQuery, RawRuleOf } from '@casl/ability';
export { accessibleBy } from '@casl/mongoose';
