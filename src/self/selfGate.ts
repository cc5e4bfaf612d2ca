import { erasureModel } from '../privacy/erasureModel';
import type { GateCheck } from '../server/buildContext';
import { ErrorCode, SafeError } from '../server/errors';

/**
 * Admission to /self/graphql: the token's customer must be in the program, with no erasure under
 * way. An unknown, erased or erasing customer gets UNAUTHENTICATED (the same answer for each).
 */
export const selfGate: GateCheck = async (principal, app) => {
  const [exists, erasing] = await Promise.all([
    app.models.customers.exists({ _id: principal.id }).exec(),
    erasureModel(app.conn).exists({ customerId: principal.id, status: 'PENDING' }).exec(),
  ]);
  if (!exists || erasing) throw new SafeError(ErrorCode.UNAUTHENTICATED, 'Not authenticated: this customer is not in the program (unknown, or erased)');
};
