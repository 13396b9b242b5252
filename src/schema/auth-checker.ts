import type { AuthChecker } from 'type-graphql';
import { ERRORS } from '../errors';
import type { GraphQLContext } from './context';

/**
 * `@Authorized()` needs a signed-in user; `@Authorized('ADMIN')` an admin. Throws the contract's
 * codes itself (type-graphql's own errors would say UNAUTHORIZED).
 */
export const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  if (!context.actor) throw ERRORS.unauthenticated();
  if (roles.length > 0 && !roles.includes(context.actor.role)) {
    context.logger.warn(
      { security: true, event: 'forbidden', userId: context.actor.userId, roles },
      'forbidden',
    );
    throw ERRORS.forbidden();
  }
  return true;
};
