import { describe, expect, it } from 'vitest';
import { AssetStatus, ScanStatus } from '../../src/entities/ip-asset.entity';
import type { AssetEventRow } from '../../src/repositories/asset-event.repository';
import { UploadEventType } from '../../src/services/analytics/upload-event';
import { analyticsEventsOf } from '../../src/services/lifecycle/outbox-consumers';
import { AssetEventType } from '../../src/services/lifecycle/transitions';
import { isWebhookEvent } from '../../src/services/webhooks/webhook-consumer';
import { webhookEndpoints } from '../../src/services/webhooks/webhook-endpoints';
import { webhookBodyFor, webhookIdFor } from '../../src/services/webhooks/webhook-event';

const event = (overrides: Partial<AssetEventRow>): AssetEventRow => ({
  id: '1',
  assetId: '6f1c2a4e-8b7d-4c3e-9a10-2b3c4d5e6f70',
  ownerId: 'alice',
  type: AssetEventType.ScannedClean,
  status: AssetStatus.APPROVED,
  scanStatus: ScanStatus.CLEAN,
  stateVersion: 4,
  actor: 'system',
  detail: null,
  at: new Date('2026-12-01T10:00:00Z'),
  mimeType: 'text/plain',
  fileSize: 6,
  scanResult: null,
  final: true,
  deliveredAt: null,
  ...overrides,
});

describe('which events become webhooks', () => {
  it('final approvals and every rejection', () => {
    expect(isWebhookEvent(event({}))).toBe(true);
    expect(isWebhookEvent(event({ type: AssetEventType.ThumbnailDone }))).toBe(true);
    for (const type of [AssetEventType.ScannedInfected, AssetEventType.ScanError, AssetEventType.Rejected]) {
      expect(isWebhookEvent(event({ type, status: AssetStatus.REJECTED }))).toBe(true);
    }
  });

  it('not an approval still waiting for its thumbnail, a rescan that changed nothing, or the cleanup', () => {
    expect(isWebhookEvent(event({ final: false }))).toBe(false);
    expect(isWebhookEvent(event({ type: AssetEventType.ScanStarted, detail: { rescan: true } }))).toBe(false);
    expect(isWebhookEvent(event({ detail: { rescan: true } }))).toBe(false);
    expect(isWebhookEvent(event({ type: AssetEventType.RescanFailed, detail: { rescan: true } }))).toBe(
      false,
    );
    expect(isWebhookEvent(event({ type: AssetEventType.CleanedUp, status: AssetStatus.REJECTED }))).toBe(
      false,
    );
    expect(
      isWebhookEvent(event({ type: AssetEventType.Confirmed, status: AssetStatus.PROCESSING, final: false })),
    ).toBe(false);
    // A rescan's detection is a rejection like any other.
    expect(
      isWebhookEvent(
        event({
          type: AssetEventType.ScannedInfected,
          status: AssetStatus.REJECTED,
          detail: { rescan: true },
        }),
      ),
    ).toBe(true);
  });
});

describe('webhook ids and bodies', () => {
  const [a, b] = webhookEndpoints(['https://a.example.com/hook?token=x', 'https://b.example.com/hook']);

  it('labels endpoints by origin and path, never the query', () => {
    expect(a!.label).toBe('https://a.example.com/hook');
    expect(a!.id).toMatch(/^[0-9a-f]{16}$/);
    expect(a!.id).not.toBe(b!.id);
  });

  it('the same change to the same endpoint always has the same webhook-id; anything else another', () => {
    const change = { assetId: 'asset-1', stateVersion: 4 };
    expect(webhookIdFor(change, a!.id)).toBe(webhookIdFor({ ...change }, a!.id));
    expect(webhookIdFor(change, a!.id)).toMatch(/^msg_[\w-]{32}$/);
    expect(webhookIdFor(change, b!.id)).not.toBe(webhookIdFor(change, a!.id));
    expect(webhookIdFor({ ...change, stateVersion: 5 }, a!.id)).not.toBe(webhookIdFor(change, a!.id));
  });

  it('the body says what CONTRACT.md says, with the reason only for a rejection', () => {
    const asset = {
      createdBy: 'alice',
      fileName: 'a.txt',
      mimeType: 'text/plain',
      fileSize: 6,
      rejectionReason: null,
    };
    const change = {
      assetId: 'asset-1',
      status: AssetStatus.REJECTED,
      scanStatus: ScanStatus.INFECTED,
      scanResult: {
        engine: 'clamav',
        threats: [{ name: 'Eicar-Test-Signature', engine: 'clamav' }],
        scannedAt: '2026-12-01T10:00:00.000Z',
        durationMs: 3,
        attempts: 1,
      },
      stateVersion: 5,
      at: '2026-12-01T10:00:00.000Z',
      reason: 'Virus detected',
    };
    expect(webhookBodyFor(change, asset)).toEqual({
      type: 'asset.rejected',
      timestamp: '2026-12-01T10:00:00.000Z',
      data: {
        assetId: 'asset-1',
        status: 'REJECTED',
        scanStatus: 'INFECTED',
        ownerId: 'alice',
        fileName: 'a.txt',
        mimeType: 'text/plain',
        fileSize: 6,
        reason: 'Virus detected',
        threats: [{ name: 'Eicar-Test-Signature', engine: 'clamav' }],
      },
    });
    expect(webhookBodyFor({ ...change, status: AssetStatus.PROCESSING }, asset)).toBeNull();
  });
});

describe('rescans in analytics', () => {
  it('a rescan that leaves the asset approved counts nothing; its detection counts the rejection', () => {
    expect(analyticsEventsOf(event({ type: AssetEventType.ScanStarted, detail: { rescan: true } }))).toEqual(
      [],
    );
    expect(analyticsEventsOf(event({ detail: { rescan: true } }))).toEqual([]);
    const detection = analyticsEventsOf(
      event({
        type: AssetEventType.ScannedInfected,
        status: AssetStatus.REJECTED,
        scanStatus: ScanStatus.INFECTED,
        detail: { rescan: true, reason: 'Virus detected' },
      }),
    );
    expect(detection.map((counted) => [counted.type, counted.reason])).toEqual([
      [UploadEventType.ScanInfected, undefined],
      [UploadEventType.Rejected, 'Virus detected'],
    ]);
    // A first scan's approval still counts.
    expect(analyticsEventsOf(event({})).map((counted) => counted.type)).toContain(UploadEventType.Approved);
  });
});
