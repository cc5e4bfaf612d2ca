import { Ctx, FieldResolver, ID, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../server/requestContext';
import { OWNER } from '../server/guardFields';
import type { CustomerDoc } from './customerModel';
import { Customer, Health } from './customerTypes';

/** Customer's computed attributes, the same in every audience's schema. */
@Resolver(() => Customer)
export class CustomerFieldResolver {
  @FieldResolver(() => ID)
  id(@Root() c: CustomerDoc): string {
    return c._id;
  }

  @FieldResolver(() => Int, { nullable: true })
  birthYear(@Root() c: CustomerDoc): number | null {
    return c.birthDate ? Number(c.birthDate.slice(0, 4)) : null;
  }
}

/** Restricted health attributes: decrypted here, which only runs once the field guard has allowed the read. */
@Resolver(() => Health)
export class HealthResolver {
  @FieldResolver(() => [String], { nullable: true })
  async conditions(@Root() h: Record<string | symbol, unknown>, @Ctx() ctx: RequestContext): Promise<string[] | null> {
    const owner = h[OWNER] as CustomerDoc;
    return h.conditions ? ctx.cipher.decryptJson<string[]>(owner._id, 'health.conditions', h.conditions) : null;
  }

  @FieldResolver(() => String, { nullable: true })
  async notes(@Root() h: Record<string | symbol, unknown>, @Ctx() ctx: RequestContext): Promise<string | null> {
    const owner = h[OWNER] as CustomerDoc;
    return h.notes ? ctx.cipher.decrypt(owner._id, 'health.notes', h.notes) : null;
  }
}

