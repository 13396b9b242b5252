import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InitiateMultipartMutation, InitiateMutation } from '../generated/graphql';
import { startTestApp, type TestApp } from '../helpers/app';
import type { GqlResponse } from '../helpers/client';
import { AbortDocument, InitiateMultipartDocument } from '../helpers/multipart';
import { InitiateDocument } from '../helpers/operations';

const MiB = 1024 * 1024;
const QUOTA = 30 * MiB;

/** The answer of either initiate (single PUT or multipart), as the race collects them. */
type Initiated = GqlResponse<Partial<InitiateMutation & InitiateMultipartMutation>>;

describe('UPLOAD_USER_QUOTA_BYTES', () => {
  let app: TestApp;
  /** A second replica on the same database: the quota holds across both. */
  let replica: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ env: { UPLOAD_USER_QUOTA_BYTES: String(QUOTA) } });
    replica = await startTestApp({
      databaseUrl: app.databaseUrl,
      env: { UPLOAD_USER_QUOTA_BYTES: String(QUOTA) },
    });
  });
  afterAll(async () => {
    await replica?.close();
    await app?.close();
  });

  const single = (client: TestApp, token: string, fileSize: number) =>
    client.gql(InitiateDocument, { input: { fileName: 'q.txt', fileSize, mimeType: 'text/plain' } }, token);
  const multipart = (client: TestApp, token: string, fileSize: number) =>
    client.gql(
      InitiateMultipartDocument,
      { input: { fileName: 'q.txt', fileSize, mimeType: 'text/plain' } },
      token,
    );
  const assetIdOf = (response: Initiated) =>
    response.data?.initiateUpload?.assetId ?? response.data?.initiateMultipartUpload?.assetId;

  it('counts unconfirmed uploads, refuses what would pass it with how much is left, and gives room back on abort', async () => {
    const user = app.token('quota-one');
    const first = await single(app, user, 20 * MiB);
    expect(first.errors).toBeUndefined();

    const refused = await multipart(app, user, 11 * MiB);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      field: 'fileSize',
      remainingBytes: 10 * MiB,
      quotaBytes: QUOTA,
    });
    expect(refused.errors?.[0]?.message).toContain(`${10 * MiB} of ${QUOTA} bytes are left`);
    expect((await single(app, user, 10 * MiB + 1)).errors?.[0]?.extensions?.code).toBe('QUOTA_EXCEEDED');
    // Exactly what is left fits; another user has a quota of their own.
    const rest = await single(app, user, 10 * MiB);
    expect(rest.errors).toBeUndefined();
    expect((await single(app, user, 1)).errors?.[0]?.extensions?.code).toBe('QUOTA_EXCEEDED');
    expect((await multipart(app, app.token('quota-other'), 11 * MiB)).errors).toBeUndefined();

    // A cancelled (REJECTED) upload no longer counts.
    const aborted = await app.gql(AbortDocument, { assetId: first.data!.initiateUpload.assetId }, user);
    expect(aborted.data?.abortUpload?.status).toBe('REJECTED');
    const after = await multipart(app, user, 11 * MiB);
    expect(after.errors).toBeUndefined();
  });

  it('20 concurrent initiates on two replicas racing for the last bytes: exactly what fits is accepted', async () => {
    const user = app.token('quota-race');
    // 25 MiB held, 5 MiB left: five of twenty 1 MiB initiates fit.
    expect((await single(app, user, 25 * MiB)).errors).toBeUndefined();
    const answers: Initiated[] = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const client = i % 2 === 0 ? app : replica;
        return i % 4 < 2 ? single(client, user, MiB) : multipart(client, user, MiB);
      }),
    );
    const accepted = answers.filter((answer) => assetIdOf(answer));
    const refused = answers.filter((answer) => answer.errors?.[0]?.extensions?.code === 'QUOTA_EXCEEDED');
    expect(accepted).toHaveLength(5);
    expect(refused).toHaveLength(15);
    const { rows } = await app.services.orm.em
      .getKnex()
      .raw(
        `select sum(file_size)::bigint as bytes from ip_asset where created_by = 'quota-race' and status <> 'REJECTED'`,
      );
    expect(Number(rows[0].bytes)).toBe(QUOTA);
    // Refused multipart initiates left no storage upload behind.
    const open: string[] = [];
    // Each test app has a storage directory of its own.
    for (const client of [app, replica]) {
      for await (const page of client.services.storage.listMultipartUploads('assets/')) {
        open.push(...page.map((upload) => upload.key));
      }
    }
    const acceptedMultipart = accepted.filter((answer) => answer.data?.initiateMultipartUpload).length;
    const raceKeys = await app.services.orm.em
      .getKnex()
      .raw(
        `select storage_key from ip_asset where created_by = 'quota-race' and multipart_upload_id is not null`,
      );
    expect(raceKeys.rows).toHaveLength(acceptedMultipart);
    const ownKeys = new Set(raceKeys.rows.map((row: { storage_key: string }) => row.storage_key));
    expect(open.filter((key) => ownKeys.has(key))).toHaveLength(acceptedMultipart);
  });
});
