/** The storage-asset register changed over GraphQL (records-manager): register, report OBSOLETE / INSECURE, sanitize. */
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../core/context';
import { InputError } from '../core/errors';
import { isId } from '../core/ids';
import { storageAssetModel, type StorageAssetDoc } from './assets/model';
import { changeStatus, databaseAssetId, registerAsset } from './assets/registry';
import { applySanitization, planSanitization } from './assets/sanitize';
import { AssetStatus, DisposalCertificate, SanitizationInput, StorageAsset, StorageAssetInput } from './types';
import { optionalRecordText, recordText, serialNumber } from './utils';
import { allow, ASSET_FIELDS, assetView, certificateView, roleOf } from './views';

@Resolver(() => StorageAsset)
export class StorageAssetMutations {
  @Mutation(() => StorageAsset, { description: 'Register a device, medium, export (or other asset) that holds customer data.' })
  async registerStorageAsset(@Arg('input', () => StorageAssetInput) input: StorageAssetInput, @Ctx() ctx: RequestContext): Promise<StorageAsset> {
    allow(ctx, 'create', 'StorageAsset', 'new');
    const asset = {
      kind: input.kind, label: recordText(input.label, 'input.label', 200), location: recordText(input.location, 'input.location', 200),
      custodian: recordText(input.custodian, 'input.custodian', 200), mediaType: optionalRecordText(input.mediaType, 'input.mediaType', 100),
      serialNumber: serialNumber(input.serialNumber, 'input.serialNumber'), encrypted: input.encrypted, holdsCustomerData: input.holdsCustomerData,
    };
    const byRole = roleOf(ctx);
    const doc = await ctx.log.commit([{ subjectType: 'StorageAsset', subjectId: null, fields: ASSET_FIELDS }], () => registerAsset(ctx.services.conn, asset, byRole));
    return assetView(doc);
  }

  @Mutation(() => StorageAsset, { description: 'Report an asset OBSOLETE or INSECURE: a sanitization is then due.' })
  async reportAssetStatus(
    @Arg('id', () => ID) id: string, @Arg('status', () => AssetStatus) status: AssetStatus, @Ctx() ctx: RequestContext,
    @Arg('note', () => String, { nullable: true }) note?: string,
  ): Promise<StorageAsset> {
    allow(ctx, 'update', 'StorageAsset', id);
    if (status !== AssetStatus.OBSOLETE && status !== AssetStatus.INSECURE) throw new InputError('status', 'must be OBSOLETE or INSECURE (SANITIZED and DESTROYED come from sanitizeStorageAsset)');
    const clean = optionalRecordText(note, 'note', 500);
    const model = storageAssetModel(ctx.services.conn);
    const asset = isId(id) ? await model.findById(id).lean<StorageAssetDoc>().exec() : null;
    if (!asset) throw new InputError('id', 'is not a registered storage asset');
    if (status === AssetStatus.OBSOLETE && asset._id === databaseAssetId(ctx.services.config.dbName)) throw new InputError('id', 'is the live database: it cannot be retired while the gateway uses it');
    const from = status === AssetStatus.OBSOLETE ? ['IN_SERVICE'] as const : ['IN_SERVICE', 'OBSOLETE'] as const;
    if (!(from as readonly string[]).includes(asset.status)) throw new InputError('id', `is ${asset.status}: only an asset in ${from.join(' or ')} can be reported ${status}`);
    const byRole = roleOf(ctx);
    const moved = await ctx.log.commit([{ subjectType: 'StorageAsset', subjectId: id, fields: ['status', 'history'] }], () => changeStatus(ctx.services.conn, id, from, status, byRole, { note: clean }));
    if (!moved) throw new InputError('id', 'changed status meanwhile; read it again');
    return assetView(moved);
  }

  @Mutation(() => DisposalCertificate, { description: 'Record the sanitization of an OBSOLETE or INSECURE asset (NIST SP 800-88); it becomes SANITIZED or DESTROYED.' })
  async sanitizeStorageAsset(@Arg('id', () => ID) id: string, @Arg('input', () => SanitizationInput) input: SanitizationInput, @Ctx() ctx: RequestContext): Promise<DisposalCertificate> {
    allow(ctx, 'update', 'StorageAsset', id);
    allow(ctx, 'create', 'DisposalRecord', 'new');
    if (!isId(id)) throw new InputError('id', 'is not a registered storage asset');
    const byRole = roleOf(ctx);
    const { conn, keys, config } = ctx.services;
    const plan = await planSanitization(conn, id, input, byRole, databaseAssetId(config.dbName));
    const cert = await ctx.log.commit([{ subjectType: 'StorageAsset', subjectId: id, fields: ['status', 'history'] }, { subjectType: 'DisposalRecord', subjectId: null, fields: ['certificate'] }],
      () => applySanitization(conn, keys, plan));
    return certificateView(cert);
  }
}
