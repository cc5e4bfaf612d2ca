/**
 * The privacy officer's report: every section computed by aggregations in the database, all in
 * parallel (about ten round trips, whatever the range). Used by the GraphQL field and by
 * `npm run report`; the result is the `PrivacyReport` type as plain data.
 */
import type { Db } from 'mongodb';
import { accessFigures } from './accessFigures';
import { consentFigures } from './consentFigures';
import { SUPPRESS_BELOW } from './counts';
import { integrityFigures } from './integrityFigures';
import { assetFigures, disposalFigures } from './lifecycleFigures';
import type { ReportRange } from '../range';
import type { PrivacyReport } from '../reportType';
import { correctionFigures, erasureFigures } from './requestFigures';
import type { CategoryLookup } from '../utils';

export async function computeReport(db: Db, range: ReportRange, categories: CategoryLookup, now = new Date()): Promise<PrivacyReport> {
  const [accesses, consents, erasures, corrections, disposals, assets, integrity] = await Promise.all([
    accessFigures(db, range, categories),
    consentFigures(db, range),
    erasureFigures(db, range),
    correctionFigures(db, range),
    disposalFigures(db, range),
    assetFigures(db, range),
    integrityFigures(db, range),
  ]);
  return {
    from: range.from, to: range.to, days: range.days, generatedAt: now, suppressBelow: SUPPRESS_BELOW,
    accesses, consents, erasures, corrections, disposals, assets, integrity,
  };
}
