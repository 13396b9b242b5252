import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTime } from '../scalars';

@ObjectType({ description: 'One WEBHOOK_URLS receiver and how delivery to it goes (all workers together)' })
export class WebhookEndpointStatus {
  @Field(() => ID, { description: 'Stable id of the endpoint (a hash of its URL)' }) id!: string;
  @Field(() => String, { description: 'Origin and path; the query is never shown' }) url!: string;
  @Field(() => Int, { description: 'Tries answered with a 2xx' }) successes!: number;
  @Field(() => Int, { description: 'Tries that failed (no 2xx within the timeout); each is retried' })
  failures!: number;
  @Field(() => DateTime, { nullable: true }) lastSuccessAt!: Date | null;
  @Field(() => DateTime, { nullable: true }) lastFailureAt!: Date | null;
  @Field(() => String, { nullable: true, description: "Why the last failed try failed, e.g. 'HTTP 503'" })
  lastError!: string | null;
}
