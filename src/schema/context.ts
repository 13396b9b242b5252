import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Actor } from '../services/actor';
import type { AdminService } from '../services/admin.service';
import type { AssetTrailService } from '../services/audit/asset-trail.service';
import type { MetricsUpdatesFeed } from '../services/metrics-updates-feed';
import type { ScanStatusFeed } from '../services/scan-status-feed';
import type { UploadAborter } from '../services/upload/abort-upload';
import type { MultipartUploadService } from '../services/upload/multipart-upload.service';
import type { UploadService } from '../services/upload/upload.service';

/**
 * The domain services resolvers call, and nothing else of the process: no connections, queues,
 * storage or repositories. Built once by the composition root (`AppServices.graphql`).
 */
export interface ResolverServices {
  uploads: UploadService;
  multipart: MultipartUploadService;
  aborts: UploadAborter;
  assetTrail: AssetTrailService;
  admin: AdminService;
  scanStatusFeed: ScanStatusFeed;
  metricsFeed: MetricsUpdatesFeed;
  /** What initiateUpload accepts, for `uploadLimits`. */
  uploadLimits: Config['upload'];
}

/** What every resolver receives: who is asking, the services it may call, and a request-scoped logger. */
export interface GraphQLContext {
  actor: Actor | null;
  services: ResolverServices;
  logger: Logger;
}
