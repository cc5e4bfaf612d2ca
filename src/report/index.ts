/**
 * The privacy officer's report (purpose audit): `privacyReport(from, to)` on /graphql, the page
 * GET /privacy/report that draws it, and (src/cli/report.ts) the same as one self-contained file.
 */
import type { Capability } from '../core/capability';
import { reportRouter } from './page/routes';
import { PrivacyReportResolver } from './resolver';

export { computeReport } from './figures/compute';
export { parseRange, MAX_RANGE_DAYS, type ReportRange } from './range';
export { SUPPRESS_BELOW, SUPPRESSED, shown } from './figures/counts';
export { COLLECTIONS as REPORT_COLLECTIONS } from './collections';
export { reportAssets } from './page/assets';
export { renderReportFile, REPORT_PATH } from './page/html';
export { REPORT_QUERY } from './page/query';

export const reportCapability: Capability = {
  name: 'report',
  resolvers: { staff: [PrivacyReportResolver] },
  operations: { 'Query.privacyReport': { purposes: ['audit'] } },
  routes: () => reportRouter(),
};
