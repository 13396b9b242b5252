import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { AdminResolver } from '../resolvers/admin.resolver';
import { AssetEventResolver } from '../resolvers/asset-event.resolver';
import { AssetResolver } from '../resolvers/asset.resolver';
import { MultipartUploadResolver } from '../resolvers/multipart-upload.resolver';
import { ScanStatusResolver } from '../resolvers/scan-status.resolver';
import { UploadLimitsResolver } from '../resolvers/upload-limits.resolver';
import { UploadResolver } from '../resolvers/upload.resolver';
import { authChecker } from './auth-checker';

export const SCHEMA_FILE = 'src/schema/schema.graphql';

/**
 * Both subscriptions bring their own `subscribe` (fed by Redis through the services), so
 * type-graphql's pub/sub is never called; buildSchema still insists on being given one.
 */
const UNUSED_PUBSUB: PubSub = {
  publish: () => undefined,
  subscribe: () => (async function* () {})(),
};

/** Builds the executable schema; `emitSchemaFile` writes its SDL (used by `npm run codegen`). */
export function buildAppSchema(options: { emitSchemaFile?: string } = {}): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      AssetResolver,
      AssetEventResolver,
      UploadResolver,
      MultipartUploadResolver,
      UploadLimitsResolver,
      ScanStatusResolver,
      AdminResolver,
    ],
    authChecker,
    pubSub: UNUSED_PUBSUB,
    // Inputs are validated by the services, with the contract's error codes; no class-validator.
    validate: false,
    emitSchemaFile: options.emitSchemaFile ? { path: options.emitSchemaFile, sortedSchema: false } : false,
  });
}
