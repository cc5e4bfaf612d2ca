/** Discovery: what the caller may do, asked without touching customer data (a login is enough). */
import { Arg, Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../core/context';
import { InputError } from '../core/errors';
import { policyMatrix, rolesOf } from '../policy';
import { assigneeIdOf, Task, taskModel, type TaskDoc } from '../tasks';

@ObjectType({ description: 'Whether a role may perform an action on a customer attribute under a purpose, and why.' })
export class FieldPermission {
  @Field(() => String) field!: string;
  @Field(() => String) action!: string;
  @Field(() => Boolean) allowed!: boolean;
  @Field(() => String) reason!: string;
}

@ObjectType({ description: 'A purpose you may act for: what it is for, whether it needs a task, the consent it needs, and your open tasks for it.' })
export class PurposeInfo {
  @Field(() => String) id!: string;
  @Field(() => String) description!: string;
  @Field(() => Boolean) requiresTask!: boolean;
  @Field(() => String, { nullable: true, description: 'The consent key a customer must have granted for rows to be visible' }) consentNeeded!: string | null;
  @Field(() => [Task]) openTasks!: TaskDoc[];
}

@Resolver()
export class PolicyMatrixResolver {
  @Query(() => [FieldPermission], { description: 'The policy, field by field, for a role and purpose (no customer data).' })
  policyMatrix(@Arg('role', () => String) role: string, @Arg('purpose', () => String) purpose: string, @Ctx() ctx: RequestContext): FieldPermission[] {
    const { policies } = ctx.services;
    if (!policies.roles.has(role)) throw new InputError('role', 'must be a role defined in policies/roles');
    if (!policies.purposes.has(purpose)) throw new InputError('purpose', 'must be a purpose of policies/purposes.yaml');
    return policyMatrix(policies, role, purpose);
  }
}

@Resolver()
export class PurposesResolver {
  @Query(() => [PurposeInfo], { description: 'The purposes you may act for (send one in X-Purpose), with your open tasks for those that need one.' })
  async myPurposes(@Ctx() ctx: RequestContext): Promise<PurposeInfo[]> {
    const principal = ctx.principal!;
    const { policies, conn } = ctx.services;
    const ids = new Set(rolesOf(policies, principal).flatMap((r) => [...r.purposes.keys()]));
    const purposes = [...policies.purposes.values()].filter((p) => ids.has(p.id));
    const tasks = purposes.some((p) => p.requiresTask)
      ? await taskModel(conn).find({ assigneeIds: assigneeIdOf(principal), status: 'OPEN', $or: [{ expiresAt: null }, { expiresAt: { $gt: new Date() } }] }).sort({ openedAt: -1 }).limit(200).lean<TaskDoc[]>().exec()
      : [];
    return purposes.map((p) => ({
      id: p.id, description: p.description, requiresTask: p.requiresTask, consentNeeded: p.consent,
      openTasks: p.requiresTask ? tasks.filter((t) => t.purpose === p.id) : [],
    }));
  }
}
