/**
 * Which folder may import which (`npm run lint`; madge checks cycles beside it). Imports point
 * one way: api → resolvers → services → storage, scanners, entities, repositories, jobs' queues.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'resolvers-not-api',
      comment: 'Resolvers are called by the API layer; they never reach back into it.',
      severity: 'error',
      from: { path: '^src/resolvers/' },
      to: { path: '^src/api/' },
    },
    {
      name: 'repositories-not-services',
      comment: 'Repositories only talk to the database; the domain (services) uses them, not the reverse.',
      severity: 'error',
      from: { path: '^src/repositories/' },
      to: { path: '^src/services/' },
    },
    {
      name: 'services-not-edges',
      comment: 'Services know nothing of HTTP, GraphQL or the resolvers that call them.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: {
        path: [
          '^src/api/',
          '^src/resolvers/',
          '^src/schema/',
          '^node_modules/(type-graphql|@apollo|express|graphql-ws)/',
        ],
      },
    },
    {
      name: 'api-not-storage-providers',
      comment:
        "The server works with the StorageAdapter it is given; which provider it is (and whether it needs routes) is the composition root's business. Only the local provider's own routes know it.",
      severity: 'error',
      from: { path: '^src/api/', pathNot: '^src/api/local-storage\\.routes\\.ts$' },
      to: { path: '^src/storage/(local|s3)\\.storage\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
