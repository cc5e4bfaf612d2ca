/** The storage-asset register read over GraphQL (records-manager; privacy-officer under audit): assets and certificates. */
import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../core/context';
import { isId } from '../core/ids';
import { afterPosition, openCursor, pageSize, toPage } from '../core/pagination';
import { certificateModel, type CertificateDoc } from './assets/certificate';
import { storageAssetModel, type StorageAssetDoc } from './assets/model';
import { AssetStatus, DisposalCertificate, StorageAsset, StorageAssetConnection } from './types';
import { allow, ASSET_FIELDS, assetView, certificateView } from './views';

@Resolver(() => StorageAsset)
export class StorageAssetQueries {
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
    for (const d of docs.slice(0, limit)) ctx.log.read('StorageAsset', d._id, ASSET_FIELDS);
    return toPage(ctx.services.config, 'storageAssets', docs, limit, (d) => [d._id], assetView);
  }

  @Query(() => StorageAsset, { nullable: true })
  async storageAsset(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<StorageAsset | null> {
    allow(ctx, 'read', 'StorageAsset');
    const doc = isId(id) ? await storageAssetModel(ctx.services.conn).findById(id).lean<StorageAssetDoc>().exec() : null;
    if (doc) ctx.log.read('StorageAsset', doc._id, ASSET_FIELDS);
    return doc ? assetView(doc) : null;
  }

  @Query(() => DisposalCertificate, { nullable: true })
  async disposalCertificate(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<DisposalCertificate | null> {
    allow(ctx, 'read', 'DisposalRecord');
    const doc = isId(id) ? await certificateModel(ctx.services.conn).findById(id).lean<CertificateDoc>().exec() : null;
    if (doc) ctx.log.read('DisposalRecord', doc._id, ['certificate']);
    return doc ? certificateView(doc) : null;
  }
}
