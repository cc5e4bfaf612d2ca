/** The records lifecycle's GraphQL types (CONTRACT.md "Records lifecycle"). */
export * from './assetTypes';
export * from './disposalTypes';
