/** Rectification: correction requests of identity attributes, decided by the privacy officer. */
import type { Capability } from '../core/capability';
import { listCorrections } from './corrections';
import { correctionRequestModel } from './model';
import { CorrectionStaffResolver, correctionView } from './resolvers';

export const rectificationCapability: Capability = {
  name: 'rectification',
  resolvers: { staff: [CorrectionStaffResolver] },
  stores: [{
    collection: 'correctionRequests', customerKey: 'customerId',
    export: {
      key: 'correctionRequests',
      read: async (ctx) => (await listCorrections(ctx)).map((r) => {
        const { customerId: _c, decidedBy: _d, ...shown } = correctionView(r, 'self');
        return shown;
      }),
    },
  }],
  start: async ({ conn }) => {
    await correctionRequestModel(conn).init();
  },
};

export { CORRECTABLE_FIELDS, checkCorrection, listCorrections, MAX_NOTE_LENGTH, requestCorrection } from './corrections';
export { correctionRequestModel, type CorrectionRequestDoc } from './model';
export { CorrectionRequest, correctionView } from './resolvers';
