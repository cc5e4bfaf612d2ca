/** The storage-asset registry over GraphQL: the records manager registers, reports and sanitizes; the privacy officer reads. */
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../core/context';
import { InputError } from '../core/errors';
import { isId } from '../core/ids';
import { afterPosition, openCursor, pageSize, toPage } from '../core/pagination';
import { certificateModel, type CertificateDoc } from './assets/certificate';
import { storageAssetModel, type StorageAssetDoc } from './assets/model';
import { changeStatus, databaseAssetId, registerAsset } from './assets/registry';
import { applySanitization, planSanitization } from './assets/sanitize';
import { AssetStatus, DisposalCertificate, SanitizationInput, StorageAsset, StorageAssetConnection, StorageAssetInput } from './types';
import { optionalRecordText, recordText, serialNumber } from './utils';
import { allow, assetView, certificateView, roleOf } from './views';

const FIELDS = ['kind', 'label', 'location', 'custodian', 'mediaType', 'serialNumber', 'encrypted', 'holdsCustomerData', 'status', 'history'];

@Resolver(() => StorageAsset)
export class StorageAssetResolver {
  @Query(() => StorageAssetConnection, { description: 'The storage assets, by id (records-manager; privacy-officer under audit).' })
  async storageAssets(
    @Ctx() ctx: RequestContext,
    @Arg('status', () => AssetStatus, { nullable: true }) status?: AssetStatus,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    allow(ctx, 'read', 'StorageAsset');
    const limit = pageSize(first, 50, 500);
    const position = after != null ? openCursor(ctx.services.config, 'storageAssets', after, ['string']) : null;
    const filter = { ...(status ? { status } : {}), ...(position ? afterPosition([['_id', 1]], position) : {}) };
    const docs = await storageAssetModel(ctx.services.conn).find(filter).sort({ _id: 1 }).limit(limit + 1).lean<StorageAssetDoc[]>().exec();
    for (const d of docs.slice(0, limit)) ctx.log.read('StorageAsset', d._id, FIELDS);
    return toPage(ctx.services.config, 'storageAssets', docs, limit, (d) => [d._id], assetView);
  }

  @Query(() => StorageAsset, { nullable: true })
  async storageAsset(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<StorageAsset | null> {
    allow(ctx, 'read', 'StorageAsset');
    const doc = isId(id) ? await storageAssetModel(ctx.services.conn).findById(id).lean<StorageAssetDoc>().exec() : null;
    if (doc) ctx.log.read('StorageAsset', doc._id, FIELDS);
    return doc ? assetView(doc) : null;
  }

  @Query(() => DisposalCertificate, { nullable: true })
  async disposalCertificate(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<DisposalCertificate | null> {
    allow(ctx, 'read', 'DisposalRecord');
    const doc = isId(id) ? await certificateModel(ctx.services.conn).findById(id).lean<CertificateDoc>().exec() : null;
    if (doc) ctx.log.read('DisposalRecord', doc._id, ['certificate']);
    return doc ? certificateView(doc) : null;
  }

  @Mutation(() => StorageAsset, { description: 'Register a device, medium, export (or other asset) that holds customer data.' })
  async registerStorageAsset(@Arg('input', () => StorageAssetInput) input: StorageAssetInput, @Ctx() ctx: RequestContext): Promise<StorageAsset> {
    allow(ctx, 'create', 'StorageAsset', 'new');
    const asset = {
      kind: input.kind, label: recordText(input.label, 'input.label', 200), location: recordText(input.location, 'input.location', 200),
      custodian: recordText(input.custodian, 'input.custodian', 200), mediaType: optionalRecordText(input.mediaType, 'input.mediaType', 100),
      serialNumber: serialNumber(input.serialNumber, 'input.serialNumber'), encrypted: input.encrypted, holdsCustomerData: input.holdsCustomerData,
    };
    const byRole = roleOf(ctx);
    const doc = await ctx.log.commit([{ subjectType: 'StorageAsset', subjectId: null, fields: FIELDS }], () => registerAsset(ctx.services.conn, asset, byRole));
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
