/**
 * Reference for the HTTP bench: the smallest Apollo Server 5 there is (its standalone server,
 * no plugins, no middleware), serving the `{ __typename }` query the bench sends to the service.
 * `PORT` (default 0: any free one); prints `{"msg":"reference ready","url":…}` once listening.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

async function main(): Promise<void> {
  const server = new ApolloServer({
    typeDefs: 'type Query { hello: String }',
    resolvers: { Query: { hello: () => 'world' } },
  });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: Number(process.env.PORT ?? 0) },
  });
  console.log(JSON.stringify({ msg: 'reference ready', url }));
}

void main();
