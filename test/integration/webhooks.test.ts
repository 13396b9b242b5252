import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MineCountDocument, WebhookEndpointsDocument } from '../generated/graphql';
import { startTestApp, type TestApp } from '../helpers/app';
import { startUpFailureLine } from '../helpers/process';
import { EICAR, waitForAsset } from '../helpers/scan';
import { uploadFile } from '../helpers/upload';
import {
  startWebhookReceiver,
  type ReceivedWebhook,
  type WebhookReceiver,
} from '../helpers/webhook-receiver';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

function webhookEnv(urls: string[], extra: Record<string, string> = {}): Record<string, string> {
  return { WEBHOOK_URLS: urls.join(','), WEBHOOK_SECRET: SECRET, ...extra };
}

function forAsset(receiver: WebhookReceiver, assetId: string): ReceivedWebhook[] {
  return receiver.received.filter((request) => request.json.data.assetId === assetId);
}

async function metricsText(app: TestApp): Promise<string> {
  return (await fetch(app.url.replace('/graphql', '/metrics'))).text();
}

describe('signed webhooks for final states', () => {
  describe('to healthy receivers', () => {
    let receiver: WebhookReceiver;
    let second: WebhookReceiver;
    let app: TestApp;
    let user: string;
    let admin: string;

    beforeAll(async () => {
      receiver = await startWebhookReceiver();
      second = await startWebhookReceiver();
      // A token in the query string is how some receivers authenticate: it must never be shown.
      app = await startTestApp({
        workers: true,
        env: webhookEnv([`${receiver.url}?token=s3cr3t`, second.url]),
      });
      user = app.token('webhook-user');
      admin = app.token('webhook-admin', 'ADMIN');
    });
    afterAll(async () => {
      await app?.close();
      await receiver?.close();
      await second?.close();
    });

    it('an approved asset: one POST per endpoint, signed so the standardwebhooks verifier accepts it', async () => {
      const body = Buffer.from('plain words\n');
      const { assetId } = await uploadFile(app, user, {
        fileName: 'notes.txt',
        mimeType: 'text/plain',
        body,
      });
      await vi.waitFor(() => expect(forAsset(receiver, assetId)).toHaveLength(1), { timeout: 20_000 });
      await vi.waitFor(() => expect(forAsset(second, assetId)).toHaveLength(1), { timeout: 20_000 });
      const asset = await waitForAsset(app, user, assetId, (a) => a.status === 'APPROVED');

      const [request] = forAsset(receiver, assetId);
      const verified = new Webhook(SECRET).verify(request!.body, request!.headers as Record<string, string>);
      expect(verified).toEqual({
        type: 'asset.approved',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        data: {
          assetId,
          status: 'APPROVED',
          scanStatus: 'CLEAN',
          ownerId: 'webhook-user',
          fileName: 'notes.txt',
          mimeType: 'text/plain',
          fileSize: body.length,
          reason: null,
          threats: [],
        },
      });
      expect(new Date(request!.json.timestamp).getTime()).toBeLessThanOrEqual(Date.now());
      expect(request!.headers['content-type']).toBe('application/json');
      expect(request!.headers['webhook-id']).toMatch(/^msg_[\w-]+$/);
      expect(Number(request!.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
      expect(asset.status).toBe('APPROVED');

      // The same event has another webhook-id at the other endpoint, and nothing else verifies.
      const [other] = forAsset(second, assetId);
      expect(other!.headers['webhook-id']).not.toBe(request!.headers['webhook-id']);
      expect(() =>
        new Webhook(SECRET).verify(request!.body.replace('notes.txt', 'other.txt'), request!.headers as any),
      ).toThrow();
      expect(() =>
        new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(
          request!.body,
          request!.headers as any,
        ),
      ).toThrow();
    });

    it('an infected asset: asset.rejected with the reason and the threats', async () => {
      const { assetId } = await uploadFile(app, user, {
        fileName: 'eicar.txt',
        mimeType: 'text/plain',
        body: EICAR,
      });
      await vi.waitFor(() => expect(forAsset(receiver, assetId)).toHaveLength(1), { timeout: 20_000 });
      const [request] = forAsset(receiver, assetId);
      expect(new Webhook(SECRET).verify(request!.body, request!.headers as any)).toMatchObject({
        type: 'asset.rejected',
        data: {
          assetId,
          status: 'REJECTED',
          scanStatus: 'INFECTED',
          reason: 'Virus detected',
          threats: [{ name: 'Eicar-Test-Signature', engine: 'signature' }],
        },
      });
    });

    it('admins see each endpoint (never its query string), /metrics counts tries, bull-board has the queue', async () => {
      await vi.waitFor(async () => {
        const { data } = await app.gql(WebhookEndpointsDocument, {}, admin);
        expect(data!.webhookEndpoints).toEqual([
          expect.objectContaining({ url: receiver.url, successes: 2, failures: 0, lastError: null }),
          expect.objectContaining({ url: second.url, successes: 2, failures: 0, lastError: null }),
        ]);
      });
      expect(JSON.stringify((await app.gql(WebhookEndpointsDocument, {}, admin)).data)).not.toContain(
        's3cr3t',
      );
      expect((await app.gql(WebhookEndpointsDocument, {}, user)).errors?.[0]?.extensions?.code).toBe(
        'FORBIDDEN',
      );

      const text = await metricsText(app);
      expect(text).toContain(
        `upload_webhook_deliveries_total{endpoint="${receiver.url}",result="success"} 2`,
      );
      expect(text).toContain(
        `upload_webhook_deliveries_total{endpoint="${receiver.url}",result="failure"} 0`,
      );
      expect(text).not.toContain('s3cr3t');

      const base = app.url.replace('/graphql', '');
      const board = await fetch(`${base}/admin/queues/api/queues`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(board.status).toBe(200);
      const names = ((await board.json()) as { queues: { name: string }[] }).queues.map(
        (queue) => queue.name,
      );
      expect(names).toContain('webhook-delivery');
    });
  });

  describe('to a receiver that redirects, then fails, then accepts', () => {
    let receiver: WebhookReceiver;
    let redirectTarget: WebhookReceiver;
    let app: TestApp;

    beforeAll(async () => {
      redirectTarget = await startWebhookReceiver();
      receiver = await startWebhookReceiver((_request, index, res) => {
        if (index === 0) res.writeHead(307, { location: redirectTarget.url }).end();
        else if (index === 1) res.writeHead(503, { 'content-type': 'text/plain' }).end('x'.repeat(1_000_000));
        else res.writeHead(200).end('ok');
      });
      app = await startTestApp({
        workers: true,
        env: webhookEnv([receiver.url], { WEBHOOK_BACKOFF_MS: '50' }),
      });
    });
    afterAll(async () => {
      await app?.close();
      await receiver?.close();
      await redirectTarget?.close();
    });

    it('gets the event a third time with the same webhook-id; redirects are not followed', async () => {
      const user = app.token('retry-user');
      const { assetId } = await uploadFile(app, user, {
        fileName: 'retry.txt',
        mimeType: 'text/plain',
        body: Buffer.from('retry me\n'),
      });
      await vi.waitFor(() => expect(forAsset(receiver, assetId)).toHaveLength(3), { timeout: 20_000 });
      const tries = forAsset(receiver, assetId);
      expect(new Set(tries.map((request) => request.headers['webhook-id'])).size).toBe(1);
      expect(new Set(tries.map((request) => request.body)).size).toBe(1);
      for (const request of tries) {
        expect(new Webhook(SECRET).verify(request.body, request.headers as any)).toMatchObject({
          type: 'asset.approved',
          data: { assetId },
        });
      }
      expect(redirectTarget.received).toHaveLength(0);

      const admin = app.token('retry-admin', 'ADMIN');
      await vi.waitFor(async () => {
        const { data } = await app.gql(WebhookEndpointsDocument, {}, admin);
        expect(data!.webhookEndpoints).toEqual([
          expect.objectContaining({ successes: 1, failures: 2, lastError: 'HTTP 503' }),
        ]);
      });
      const endpoint = (await app.gql(WebhookEndpointsDocument, {}, admin)).data!.webhookEndpoints[0];
      expect(new Date(endpoint.lastSuccessAt!).getTime()).toBeGreaterThan(
        new Date(endpoint.lastFailureAt!).getTime(),
      );
      const text = await metricsText(app);
      expect(text).toContain(
        `upload_webhook_deliveries_total{endpoint="${receiver.url}",result="failure"} 2`,
      );
      expect(text).toMatch(
        new RegExp(`upload_webhook_last_failure_timestamp_seconds\\{endpoint="${receiver.url}"\\} \\d+`),
      );
    });
  });

  describe('to a receiver that never answers', () => {
    let receiver: WebhookReceiver;
    let app: TestApp;

    beforeAll(async () => {
      receiver = await startWebhookReceiver(() => {});
      // A long timeout, so every request is still hanging while the uploads are decided.
      app = await startTestApp({
        workers: true,
        env: webhookEnv([receiver.url], { WEBHOOK_TIMEOUT_MS: '120000', WEBHOOK_CONCURRENCY: '2' }),
      });
    });
    afterAll(async () => {
      await receiver?.close();
      await app?.close();
    });

    it('uploads are still decided and the API still answers while webhook requests hang', async () => {
      const user = app.token('hang-user');
      const uploads = [];
      for (let i = 0; i < 4; i++) {
        uploads.push(
          await uploadFile(app, user, {
            fileName: `file-${i}.txt`,
            mimeType: 'text/plain',
            body: Buffer.from(`file number ${i}\n`),
          }),
        );
      }
      for (const { assetId } of uploads) {
        expect((await waitForAsset(app, user, assetId, (a) => a.status !== 'PROCESSING')).status).toBe(
          'APPROVED',
        );
      }
      await vi.waitFor(() => expect(receiver.open()).toBe(2), { timeout: 20_000 });
      // Every webhook request so far is still open: none answered, none timed out yet.
      expect(receiver.received).toHaveLength(2);
      const mine = await app.gql(MineCountDocument, {}, user);
      expect(mine.data!.myAssets.totalCount).toBe(4);
    });
  });

  it('WEBHOOK_URLS without a valid WEBHOOK_SECRET stops start-up with one line', async () => {
    for (const [env, expected] of [
      [
        { WEBHOOK_URLS: 'http://127.0.0.1:9/hooks' },
        /^Invalid configuration: WEBHOOK_SECRET: required when WEBHOOK_URLS/,
      ],
      [
        { WEBHOOK_URLS: 'http://127.0.0.1:9/hooks', WEBHOOK_SECRET: 'not-a-secret' },
        /^Invalid configuration: WEBHOOK_SECRET: expected whsec_/,
      ],
      [
        { WEBHOOK_URLS: 'ftp://127.0.0.1/hooks', WEBHOOK_SECRET: SECRET },
        /^Invalid configuration: WEBHOOK_URLS: /,
      ],
    ] as const) {
      const line = await startUpFailureLine(env);
      expect(line).toMatch(expected);
      expect(line).not.toContain(SECRET);
    }
  }, 60_000);
});
