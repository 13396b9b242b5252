/**
 * Reference for the subscription benches: a bare graphql-ws server fed by
 * graphql-redis-subscriptions, with the service's `assetScanStatus` event type and nothing
 * else (no auth, no context, no middleware). Events are the JSON the bench publishes on
 * `${REDIS_PREFIX}:ASSET_SCAN_STATUS:<assetId>`.
 * `REDIS_URL`, `REDIS_PREFIX`, `PORT` (default 0); prints `{"msg":"reference ready","url":…}`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { DateTimeResolver } from 'graphql-scalars';
import { useServer } from 'graphql-ws/use/ws';
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';

const SDL = `
  scalar DateTime
  enum AssetStatus { DRAFT PROCESSING APPROVED REJECTED }
  enum ScanStatus { PENDING SCANNING CLEAN INFECTED ERROR }
  type Threat { name: String! engine: String! }
  type ScanResult {
    engine: String! engineVersion: String threats: [Threat!]! scannedAt: DateTime!
    durationMs: Int! attempts: Int! error: String
  }
  type ScanStatusEvent {
    assetId: ID! status: AssetStatus! scanStatus: ScanStatus! scanResult: ScanResult
    final: Boolean! at: DateTime!
  }
  type Query { ok: Boolean }
  type Subscription { assetScanStatus(assetId: ID!): ScanStatusEvent! }
`;

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = process.env.REDIS_PREFIX ?? 'ref';
  const pubSub = new RedisPubSub({ publisher: new Redis(redisUrl), subscriber: new Redis(redisUrl) });
  const schema = buildSchema(SDL);
  Object.assign(schema.getType('DateTime')!, {
    serialize: DateTimeResolver.serialize,
    parseValue: DateTimeResolver.parseValue,
    parseLiteral: DateTimeResolver.parseLiteral,
  });
  const field = (schema.getType('Subscription') as GraphQLObjectType).getFields().assetScanStatus!;
  field.subscribe = (_root, args: { assetId: string }) =>
    pubSub.asyncIterableIterator(`${prefix}:ASSET_SCAN_STATUS:${args.assetId}`);
  field.resolve = (event: unknown) => event;

  const httpServer = createServer();
  useServer({ schema }, new WebSocketServer({ server: httpServer, path: '/graphql' }));
  await new Promise<void>((resolve) =>
    httpServer.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve),
  );
  const { port } = httpServer.address() as AddressInfo;
  console.log(JSON.stringify({ msg: 'reference ready', url: `http://127.0.0.1:${port}/graphql` }));
}

void main();
