import type { Logger } from '../logger';
import type { Actor } from '../services/actor';
import type { AppServices } from '../app/services';

/** What every resolver receives: who is asking, the domain services, and a request-scoped logger. */
export interface GraphQLContext {
  actor: Actor | null;
  services: AppServices;
  logger: Logger;
}
