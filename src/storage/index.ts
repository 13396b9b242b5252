import type { Config } from '../config';
import { LocalStorageAdapter } from './local.storage';
import { S3StorageAdapter } from './s3.storage';
import type { StorageAdapter } from './storage.adapter';

/** What the factory needs besides the configuration. */
export interface StorageDeps {
  /** This server's absolute base URL, read at each presign (see LocalStorageOptions.publicUrl). */
  publicUrl: () => string;
  /** Signs the local provider's URLs; ignored by S3. */
  signingSecret: string;
}

/**
 * The storage backend `config.storage.provider` names. When it is a LocalStorageAdapter, the
 * HTTP server must also mount `createLocalStorageRouter(storage)`, which serves its URLs.
 */
export function createStorage(config: Config, deps: StorageDeps): StorageAdapter {
  const settings = config.storage;
  switch (settings.provider) {
    case 's3':
      return new S3StorageAdapter(settings);
    case 'local':
      return new LocalStorageAdapter({
        rootDir: settings.localDir,
        signingSecret: deps.signingSecret,
        publicUrl: deps.publicUrl,
        // An upload cannot outlive its request; a lock older than that belongs to a dead process.
        uploadLockStaleAfterMs: config.httpLimits.requestTimeoutMs + 60_000,
      });
  }
}
