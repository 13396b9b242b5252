import type { Logger } from '../logger';
import { withTimeout } from '../with-timeout';

type Closer = { name: string; close: () => Promise<void> };

/**
 * One shutdown routine for every role: on SIGTERM/SIGINT, close what was opened in reverse
 * order, each step bounded by a timeout; a second signal exits at once.
 */
export class Shutdown {
  private readonly closers: Closer[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs = 15_000,
  ) {}

  /** Registers something to close; later registrations close first. */
  add(name: string, close: () => Promise<void>): void {
    this.closers.push({ name, close });
  }

  listen(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.running) {
        this.logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      this.logger.info({ signal }, 'shutting down');
      void this.run().then(() => process.exit(0));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  run(): Promise<void> {
    this.running ??= this.closeAll();
    return this.running;
  }

  private async closeAll(): Promise<void> {
    for (const closer of [...this.closers].reverse()) {
      try {
        await withTimeout(closer.close(), this.timeoutMs);
        this.logger.debug({ step: closer.name }, 'closed');
      } catch (error) {
        this.logger.error({ step: closer.name, err: error }, 'shutdown step failed');
      }
    }
  }
}
