/** The embedded MongoDB-compatible store (development and tests only; in memory, not durable). */
export { EmbeddedMongoServer, type EmbeddedMongoOptions, type EmbeddedServerState } from './server';
