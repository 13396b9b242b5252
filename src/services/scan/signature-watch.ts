import type { Logger } from '../../logger';
import type { SignatureInfo } from '../../scanners/scanner';
import { withTimeout } from '../../with-timeout';

/** An engine's signatures changed to a version no worker had seen before. */
export interface SignatureUpdate {
  engine: string;
  version: string;
  previous: string;
}

export interface SignatureWatchDeps {
  scanner: { signatures(signal?: AbortSignal): Promise<SignatureInfo[]> };
  versions: {
    claim(engine: string, version: string): Promise<{ first: boolean; previous: string | null }>;
    release(engine: string, version: string, previous: string): Promise<void>;
  };
  /** Called once per new version across all workers (not for the first version ever recorded). */
  onUpdate(update: SignatureUpdate): Promise<void>;
  logger: Logger;
  intervalMs: number;
  /** @default 10000 */
  timeoutMs?: number;
}

/**
 * Asks this worker's engines for their signature versions every `intervalMs` (clamd `VERSION`,
 * the signature engine's block-list file) and reports a version change once, whichever worker
 * sees it first. A check that fails (engine down) is logged and tried again next time.
 */
export class SignatureWatch {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** The last version this process handled per engine, so an unchanged one costs no Redis call. */
  private readonly known = new Map<string, string>();

  constructor(private readonly deps: SignatureWatchDeps) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.deps.intervalMs);
    this.timer.unref();
    void this.check();
  }

  /** One check now; a check already running is joined rather than doubled. */
  check(): Promise<void> {
    this.running ??= this.checkOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async checkOnce(): Promise<void> {
    const { scanner, versions, onUpdate, logger } = this.deps;
    let infos: SignatureInfo[];
    try {
      infos = await withTimeout(
        scanner.signatures(),
        this.deps.timeoutMs ?? 10_000,
        'signature version check',
      );
    } catch (err) {
      logger.warn({ err }, 'could not read the scanner signature versions; trying again later');
      return;
    }
    for (const { engine, version } of infos) {
      if (this.known.get(engine) === version) continue;
      try {
        const claim = await versions.claim(engine, version);
        if (claim.first && claim.previous !== null && claim.previous !== version) {
          const update = { engine, version, previous: claim.previous };
          logger.info(update, 'scanner signatures updated');
          await onUpdate(update).catch(async (error: unknown) => {
            await versions.release(engine, version, update.previous);
            throw error;
          });
        }
        this.known.set(engine, version);
      } catch (err) {
        logger.warn({ err, engine, version }, 'could not record a signature version; trying again later');
      }
    }
  }
}
