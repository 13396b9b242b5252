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
  /** The local provider's clock for signing and checking its URLs (S3 signs with the real one). */
  now?: () => Date;
}

/**
 * The storage backend `config.storage.provider` names. With the local one, the HTTP server must
 * also mount `createLocalStorageRouter(local)`, which serves its URLs.
 */
/**
 * The configured storage. `local` is the same adapter when the provider is the local one: its
 * upload URLs point at this server, which must then serve them; null for S3-compatible storage.
 */
export interface ConfiguredStorage {
  adapter: StorageAdapter;
  local: LocalStorageAdapter | null;
}

export function createStorage(config: Config, deps: StorageDeps): ConfiguredStorage {
  const settings = config.storage;
  switch (settings.provider) {
    case 's3':
      return { adapter: new S3StorageAdapter(settings), local: null };
    case 'local': {
      const local = new LocalStorageAdapter({
        rootDir: settings.localDir,
        signingSecret: deps.signingSecret,
        publicUrl: deps.publicUrl,
        // An upload cannot outlive its request; a lock older than that belongs to a dead process.
        uploadLockStaleAfterMs: config.httpLimits.requestTimeoutMs + 60_000,
        now: deps.now,
      });
      return { adapter: local, local };
    }
  }
}
