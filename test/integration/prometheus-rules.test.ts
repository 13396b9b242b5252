import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, createAppMetrics } from '../../src/observability/metrics';

const RULES_DIR = path.resolve(__dirname, '../../deploy/prometheus');
const ALERTS = path.join(RULES_DIR, 'alerts.yml');
const ALERT_TESTS = path.join(RULES_DIR, 'alerts.test.yml');
const PROMTOOL = process.env.PROMTOOL ?? (existsSync('/usr/bin/promtool') ? '/usr/bin/promtool' : 'promtool');

interface ToolRun {
  exitCode: number;
  output: string;
}

function runPromtool(args: string[]): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd: RULES_DIR, timeout: 60_000 }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      const output = [stdout, stderr, error && typeof error.code !== 'number' ? String(error) : '']
        .filter(Boolean)
        .join('\n');
      resolve({ exitCode, output });
    });
  });
}

function expectSuccess(run: ToolRun, what: string): void {
  if (run.exitCode !== 0) {
    expect.fail(`${what} exited with ${run.exitCode}:\n${run.output}`);
  }
}

describe('Prometheus alert rules', () => {
  it('pass promtool check rules', async () => {
    expectSuccess(await runPromtool(['check', 'rules', ALERTS]), 'promtool check rules');
  });

  it('pass their promtool unit tests', async () => {
    expectSuccess(await runPromtool(['test', 'rules', ALERT_TESTS]), 'promtool test rules');
  });

  it('define the seven alerts, each with a severity, a summary and a description', async () => {
    const text = await readFile(ALERTS, 'utf8');
    const alerts = [...text.matchAll(/^\s*- alert: (\S+)/gm)].map((match) => match[1]);
    expect(alerts).toEqual([
      'UploadSuccessRateLow',
      'UploadScanSlow',
      'UploadScanFailureRateHigh',
      'UploadQueueBacklogHigh',
      'UploadInfectedFileDetected',
      'UploadCleanupFailureRateHigh',
      'UploadScannerSignaturesStale',
    ]);
    expect(text.match(/^\s+severity: (critical|warning)$/gm)).toHaveLength(7);
    expect(text.match(/^\s+summary: /gm)).toHaveLength(7);
    expect(text.match(/^\s+description: /gm)).toHaveLength(7);
  });

  it('only use metrics the application defines', async () => {
    const rules = (await readFile(ALERTS, 'utf8'))
      .split('\n')
      .filter((line) => !line.trim().startsWith('#'))
      .join('\n');
    const used = new Set(
      [...rules.matchAll(/\b((?:uploads?|http|graphql)_[a-z_]+)\b/g)].map((match) =>
        match[1]!.replace(/_(sum|count|bucket)$/, ''),
      ),
    );
    const metrics = createAppMetrics({ collectDefaultMetrics: false });
    const defined = new Set(metrics.registry.getMetricsAsArray().map((metric) => metric.name));

    expect(used.size).toBeGreaterThanOrEqual(6);
    for (const name of used) expect(defined, `${name} is used by an alert`).toContain(name);
    expect(Object.values(METRIC_NAMES).every((name) => defined.has(name))).toBe(true);
  });
});
