/** Stored lifecycle documents as their GraphQL objects, and the request helpers the resolvers share. */
import type { RequestContext } from '../core/context';
import type { NamedSubjectType } from '../core/policyModel';
import { actingRoles } from '../policy';
import type { CertificateDoc } from './assets/certificate';
import type { StorageAssetDoc } from './assets/model';
import type { DisposalRunDoc } from './disposal/model';
import type { AssetKind, AssetStatus, DisposalCertificate, DisposalRun, SanitizationMethod, StorageAsset } from './types';

/** The attributes of an asset, as the access log names them. */
export const ASSET_FIELDS = ['kind', 'label', 'location', 'custodian', 'mediaType', 'serialNumber', 'encrypted', 'holdsCustomerData', 'status', 'history'];

export function assetView(d: StorageAssetDoc): StorageAsset {
  return {
    id: d._id, kind: d.kind as AssetKind, label: d.label, location: d.location, custodian: d.custodian,
    mediaType: d.mediaType ?? null, serialNumber: d.serialNumber ?? null, encrypted: d.encrypted, holdsCustomerData: d.holdsCustomerData,
    status: d.status as AssetStatus, registeredAt: d.registeredAt, statusChangedAt: d.statusChangedAt,
    history: d.history.map((h) => ({ at: h.at, status: h.status as AssetStatus, byRole: h.byRole, note: h.note ?? null })),
  };
}

export function runView(d: DisposalRunDoc): DisposalRun {
  return { id: d._id, startedAt: d.startedAt, finishedAt: d.finishedAt ?? null, dryRun: d.dryRun, status: d.status, items: d.items.map((i) => ({ ...i })) };
}

export function certificateView(d: CertificateDoc): DisposalCertificate {
  return { id: d._id, ...d, method: d.method as SanitizationMethod, tool: d.tool ?? null };
}

/** The one check of a lifecycle operation: FORBIDDEN (recorded) unless the request's ability allows it. */
export function allow(ctx: RequestContext, action: 'read' | 'create' | 'update', subjectType: NamedSubjectType, id = '*'): void {
  ctx.guard.authorize(subjectType, { _id: id }, action, []);
}

/** How these records name who acted: the acting role, never a person. */
export function roleOf(ctx: RequestContext): string {
  return actingRoles(ctx.services.policies, ctx.principal, ctx.purpose?.id ?? null).join(', ');
}
