/** The storage-asset register's GraphQL types (CONTRACT.md "Records lifecycle"). */
import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../customers/types';

export enum AssetStatus { IN_SERVICE = 'IN_SERVICE', OBSOLETE = 'OBSOLETE', INSECURE = 'INSECURE', SANITIZED = 'SANITIZED', DESTROYED = 'DESTROYED' }
export enum AssetKind { DATABASE = 'DATABASE', BACKUP = 'BACKUP', EXPORT = 'EXPORT', DEVICE = 'DEVICE', MEDIA = 'MEDIA' }
export enum SanitizationMethod { CLEAR = 'CLEAR', PURGE = 'PURGE', CRYPTOGRAPHIC_ERASE = 'CRYPTOGRAPHIC_ERASE', DESTROY = 'DESTROY' }
registerEnumType(AssetStatus, { name: 'AssetStatus', description: 'IN_SERVICE; OBSOLETE or INSECURE (a sanitization is due); SANITIZED or DESTROYED.' });
registerEnumType(AssetKind, { name: 'AssetKind' });
registerEnumType(SanitizationMethod, { name: 'SanitizationMethod', description: 'NIST SP 800-88: clear, purge (cryptographic erase is a purge technique), destroy.' });

@ObjectType({ description: 'One status change of a storage asset: when, to what, by which role.' })
export class AssetEvent {
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => AssetStatus) status!: AssetStatus;
  @Field(() => String, { description: 'The role that made the change (records-manager, system), never a person' }) byRole!: string;
  @Field(() => String, { nullable: true }) note?: string | null;
}

@ObjectType({ description: 'A place that holds (or held) customer data: the database, a backup, an export, a device or a medium.' })
export class StorageAsset {
  @Field(() => ID) id!: string;
  @Field(() => AssetKind) kind!: AssetKind;
  @Field(() => String) label!: string;
  @Field(() => String) location!: string;
  @Field(() => String, { description: 'Who keeps it (a team or a staff member)' }) custodian!: string;
  @Field(() => String, { nullable: true }) mediaType?: string | null;
  @Field(() => String, { nullable: true }) serialNumber?: string | null;
  @Field(() => Boolean) encrypted!: boolean;
  @Field(() => Boolean) holdsCustomerData!: boolean;
  @Field(() => AssetStatus) status!: AssetStatus;
  @Field(() => GraphQLISODateTime) registeredAt!: Date;
  @Field(() => GraphQLISODateTime) statusChangedAt!: Date;
  @Field(() => [AssetEvent]) history!: AssetEvent[];
}

@ObjectType()
export class StorageAssetEdge {
  @Field(() => String) cursor!: string;
  @Field(() => StorageAsset) node!: StorageAsset;
}

@ObjectType()
export class StorageAssetConnection {
  @Field(() => [StorageAssetEdge]) edges!: StorageAssetEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@InputType()
export class StorageAssetInput {
  @Field(() => AssetKind) kind!: AssetKind;
  @Field(() => String) label!: string;
  @Field(() => String) location!: string;
  @Field(() => String) custodian!: string;
  @Field(() => String, { nullable: true }) mediaType?: string | null;
  @Field(() => String, { nullable: true }) serialNumber?: string | null;
  @Field(() => Boolean) encrypted!: boolean;
  @Field(() => Boolean) holdsCustomerData!: boolean;
}

@InputType({ description: 'The facts of a sanitization, as NIST SP 800-88 Rev. 1 appendix G asks them.' })
export class SanitizationInput {
  @Field(() => SanitizationMethod) method!: SanitizationMethod;
  @Field(() => String, { description: 'e.g. "ATA Secure Erase", "overwrite, 1 pass", "shredded to 2 mm"' }) technique!: string;
  @Field(() => String, { nullable: true, description: 'Tool and version used' }) tool?: string | null;
  @Field(() => String, { description: 'Who performed it (staff)' }) performedBy!: string;
  @Field(() => String, { description: 'Who verified it (staff)' }) verifiedBy!: string;
  @Field(() => String, { description: 'How it was verified, e.g. "sampled 10% of sectors: all zero"' }) verification!: string;
  @Field(() => String, { nullable: true, description: 'ISO 8601 date-time; default now' }) performedAt?: string | null;
}

@ObjectType({ description: 'A certificate of sanitization (NIST SP 800-88). Holds no personal data of customers.' })
export class DisposalCertificate {
  @Field(() => ID) id!: string;
  @Field(() => ID) assetId!: string;
  @Field(() => String) assetLabel!: string;
  @Field(() => SanitizationMethod) method!: SanitizationMethod;
  @Field(() => String) technique!: string;
  @Field(() => String, { nullable: true }) tool?: string | null;
  @Field(() => String) performedBy!: string;
  @Field(() => String) verifiedBy!: string;
  @Field(() => String) verification!: string;
  @Field(() => GraphQLISODateTime) performedAt!: Date;
  @Field(() => GraphQLISODateTime) issuedAt!: Date;
  @Field(() => String, { description: 'The role that issued it' }) issuedBy!: string;
}

