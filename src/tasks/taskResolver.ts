import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { subject } from '../policy';
import { ErrorCode, InputError, SafeError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';
import { assigneeIdOf, newTaskId, type TaskDoc } from './taskModel';
import { OpenTaskInput, Task } from './taskTypes';

const ID_FORMAT = /^[A-Za-z0-9_-]{1,64}$/;
const ASSIGNEE = /^(partner:)?[A-Za-z0-9_.@-]{1,128}$/;
const MAX_CUSTOMERS = 500;

function forbidden(ctx: RequestContext, what: string, id: string | null): SafeError {
  ctx.audit.operationDenied(ErrorCode.FORBIDDEN, what, 'Task', id);
  return new SafeError(ErrorCode.FORBIDDEN, `Not allowed: ${what}`);
}

function validateOpenTask(ctx: RequestContext, input: OpenTaskInput, now: Date) {
  const purpose = ctx.app.policies.purposes.get(input.purpose);
  if (!purpose) throw new InputError('input.purpose', 'must be a purpose of the catalogue');
  if (!purpose.requiresTask) throw new InputError('input.purpose', 'must be a purpose that works through tasks');
  if (input.customerIds.length < 1 || input.customerIds.length > MAX_CUSTOMERS) throw new InputError('input.customerIds', `must list 1 to ${MAX_CUSTOMERS} customers`);
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
  return { purpose: purpose.id, expiresAt };
}

@Resolver(() => Task)
export class TaskResolver {
  @Query(() => Task, { nullable: true, description: 'A task you are assigned to, opened, or may read under your purpose.' })
  async task(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<TaskDoc> {
    const task = ID_FORMAT.test(id) ? await ctx.app.models.tasks.findById(id).lean<TaskDoc>().exec() : null;
    const me = ctx.principal ? assigneeIdOf(ctx.principal) : '';
    const visible = task && (task.assigneeIds.includes(me) || task.openedBy === me || ctx.ability.can('read', subject('Task', task as never)));
    if (!task || !visible) throw forbidden(ctx, 'the task is outside your scope, or does not exist', ID_FORMAT.test(id) ? id : null);
    return task;
  }

  @Query(() => [Task], { description: 'Open tasks assigned to you.' })
  async myTasks(@Ctx() ctx: RequestContext): Promise<TaskDoc[]> {
    const me = assigneeIdOf(ctx.principal!);
    return ctx.app.models.tasks.find({ assigneeIds: me, status: 'OPEN' }).sort({ openedAt: -1 }).limit(200).lean<TaskDoc[]>().exec();
  }

  @Mutation(() => Task, { description: 'Open a task (supervisor, purpose task-management).' })
  async openTask(@Arg('input', () => OpenTaskInput) input: OpenTaskInput, @Ctx() ctx: RequestContext): Promise<TaskDoc> {
    if (!ctx.ability.can('create', 'Task')) throw forbidden(ctx, `opening tasks is not granted for purpose ${ctx.purpose?.id}`, null);
    const now = new Date();
    const { purpose, expiresAt } = validateOpenTask(ctx, input, now);
    const doc = await ctx.app.models.tasks.create({
      _id: newTaskId(), purpose, customerIds: [...new Set(input.customerIds)], assigneeIds: [...new Set(input.assigneeIds)],
      status: 'OPEN', openedBy: ctx.principal!.id, openedAt: now, expiresAt, note: input.note ?? null,
    });
    ctx.audit.written('Task', doc._id, ['purpose', 'customerIds', 'assigneeIds', 'expiresAt', 'note']);
    return doc.toObject() as TaskDoc;
  }

  @Mutation(() => Task, { description: 'Close a task: from then on it grants nothing.' })
  async closeTask(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<TaskDoc> {
    if (!ctx.ability.can('update', 'Task')) throw forbidden(ctx, `closing tasks is not granted for purpose ${ctx.purpose?.id}`, ID_FORMAT.test(id) ? id : null);
    const task = ID_FORMAT.test(id)
      ? await ctx.app.models.tasks.findOneAndUpdate({ _id: id, status: 'OPEN' }, { $set: { status: 'CLOSED', closedAt: new Date() } }, { returnDocument: 'after' }).lean<TaskDoc>().exec()
      : null;
    if (!task) throw forbidden(ctx, 'the task is not open, or does not exist', ID_FORMAT.test(id) ? id : null);
    ctx.audit.written('Task', id, ['status', 'closedAt']);
    return task;
  }

  @FieldResolver(() => ID)
  id(@Root() t: TaskDoc): string {
    return t._id;
  }
}
