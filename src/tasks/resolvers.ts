/** Tasks: the GraphQL types and the operations (read your tasks; supervisors open and close them). */
import { Arg, Ctx, Field, FieldResolver, GraphQLISODateTime, ID, InputType, Mutation, ObjectType, Query, registerEnumType, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../core/context';
import { ErrorCode, InputError, SafeError } from '../core/errors';
import { checkFreeText } from '../core/freeText';
import { ID as ID_FORMAT } from '../core/ids';
import { isPseudonym } from '../crypto';
import { subject } from '../policy';
import { assigneeIdOf, newTaskId, taskModel, type TaskDoc } from './model';

export enum TaskStatusEnum {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
}
registerEnumType(TaskStatusEnum, { name: 'TaskStatus' });

@ObjectType({ description: 'A CRM task: the purpose, the customers in scope, who works it, until when.' })
export class Task {
  @Field(() => ID) id!: string;
  @Field(() => String) purpose!: string;
  @Field(() => [ID]) customerIds!: string[];
  @Field(() => [String], { description: 'Staff ids, or partner:<id>' }) assigneeIds!: string[];
  @Field(() => TaskStatusEnum) status!: TaskStatusEnum;
  @Field(() => String) openedBy!: string;
  @Field(() => GraphQLISODateTime) openedAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) expiresAt?: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) closedAt?: Date | null;
  @Field(() => String, { nullable: true }) note?: string | null;
}

@InputType()
export class OpenTaskInput {
  @Field(() => String) purpose!: string;
  @Field(() => [ID]) customerIds!: string[];
  @Field(() => [String], { description: 'Staff ids, or partner:<id>' }) assigneeIds!: string[];
  @Field(() => String, { nullable: true, description: 'ISO date-time; must be in the future' }) expiresAt?: string | null;
  @Field(() => String, { nullable: true }) note?: string | null;
}

const ASSIGNEE = /^(partner:)?[A-Za-z0-9_.@-]{1,128}$/;
const MAX_CUSTOMERS = 500;

function forbidden(ctx: RequestContext, what: string, id: string | null): SafeError {
  ctx.log.operationDenied(ErrorCode.FORBIDDEN, what, 'Task', id);
  return new SafeError(ErrorCode.FORBIDDEN, `Not allowed: ${what}`);
}

function validateOpenTask(ctx: RequestContext, input: OpenTaskInput, now: Date) {
  const purpose = ctx.services.policies.purposes.get(input.purpose);
  if (!purpose) throw new InputError('input.purpose', 'must be a purpose of the catalogue');
  if (!purpose.requiresTask) throw new InputError('input.purpose', 'must be a purpose that works through tasks');
  if (input.customerIds.length < 1 || input.customerIds.length > MAX_CUSTOMERS) throw new InputError('input.customerIds', `must list 1 to ${MAX_CUSTOMERS} customers`);
  if (input.customerIds.some(isPseudonym)) throw new InputError('input.customerIds', 'must be customer ids: a pseudonym (psn_…) is accepted only under the purpose that issued it');
  if (!input.customerIds.every((id) => ID_FORMAT.test(id))) throw new InputError('input.customerIds', 'must be customer ids');
  if (input.assigneeIds.length < 1 || input.assigneeIds.length > 50) throw new InputError('input.assigneeIds', 'must list 1 to 50 assignees');
  if (!input.assigneeIds.every((a) => ASSIGNEE.test(a))) throw new InputError('input.assigneeIds', 'must be staff ids or partner:<id>');
  let expiresAt: Date | null = null;
  if (input.expiresAt != null) {
    expiresAt = new Date(input.expiresAt);
    if (Number.isNaN(expiresAt.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(input.expiresAt)) throw new InputError('input.expiresAt', 'must be an ISO date-time');
    if (expiresAt.getTime() <= now.getTime()) throw new InputError('input.expiresAt', 'must be in the future');
  }
  if (input.note != null && (input.note.length > 500 || /[\u0000-\u0008\u000b-\u001f]/.test(input.note))) {
    throw new InputError('input.note', 'must be at most 500 characters without control characters');
  }
  if (input.note != null) checkFreeText(input.note, 'input.note');
  return { purpose: purpose.id, expiresAt };
}

@Resolver(() => Task)
export class TaskResolver {
  @Query(() => Task, { nullable: true, description: 'A task you are assigned to, opened, or may read under your purpose.' })
  async task(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<TaskDoc> {
    const task = ID_FORMAT.test(id) ? await taskModel(ctx.services.conn).findById(id).lean<TaskDoc>().exec() : null;
    const me = ctx.principal ? assigneeIdOf(ctx.principal) : '';
    const visible = task && (task.assigneeIds.includes(me) || task.openedBy === me || ctx.ability.can('read', subject('Task', task as never)));
    if (!task || !visible) throw forbidden(ctx, 'the task is outside your scope, or does not exist', ID_FORMAT.test(id) ? id : null);
    return task;
  }

  @Query(() => [Task], { description: 'Open tasks assigned to you.' })
  async myTasks(@Ctx() ctx: RequestContext): Promise<TaskDoc[]> {
    const me = assigneeIdOf(ctx.principal!);
    return taskModel(ctx.services.conn).find({ assigneeIds: me, status: 'OPEN' }).sort({ openedAt: -1 }).limit(200).lean<TaskDoc[]>().exec();
  }

  @Mutation(() => Task, { description: 'Open a task (supervisor, purpose task-management).' })
  async openTask(@Arg('input', () => OpenTaskInput) input: OpenTaskInput, @Ctx() ctx: RequestContext): Promise<TaskDoc> {
    const _id = newTaskId();
    ctx.guard.authorize('Task', { _id }, 'create', []);
    const now = new Date();
    const { purpose, expiresAt } = validateOpenTask(ctx, input, now);
    return ctx.log.commit([{ subjectType: 'Task', subjectId: _id, fields: ['purpose', 'customerIds', 'assigneeIds', 'expiresAt', 'note'] }], async () => {
      const doc = await taskModel(ctx.services.conn).create({
        _id, purpose, customerIds: [...new Set(input.customerIds)], assigneeIds: [...new Set(input.assigneeIds)],
        status: 'OPEN', openedBy: ctx.principal!.id, openedAt: now, expiresAt, note: input.note ?? null,
      });
      return doc.toObject() as TaskDoc;
    });
  }

  @Mutation(() => Task, { description: 'Close a task: from then on it grants nothing.' })
  async closeTask(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<TaskDoc> {
    if (!ID_FORMAT.test(id)) throw forbidden(ctx, 'the task is not open, or does not exist', null);
    ctx.guard.authorize('Task', { _id: id }, 'update', []);
    const model = taskModel(ctx.services.conn);
    if (!(await model.exists({ _id: id, status: 'OPEN' }).exec())) throw forbidden(ctx, 'the task is not open, or does not exist', id);
    return ctx.log.commit([{ subjectType: 'Task', subjectId: id, fields: ['status', 'closedAt'] }], async () => {
      const task = await model.findOneAndUpdate({ _id: id, status: 'OPEN' }, { $set: { status: 'CLOSED', closedAt: new Date() } }, { returnDocument: 'after' }).lean<TaskDoc>().exec();
      if (!task) throw forbidden(ctx, 'the task is not open, or does not exist', id);
      return task;
    });
  }

  @FieldResolver(() => ID)
  id(@Root() t: TaskDoc): string {
    return t._id;
  }
}
