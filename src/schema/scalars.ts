import { DateTimeResolver, JSONResolver, SafeIntResolver } from 'graphql-scalars';

/** The contract's scalars, under the names it uses (DateTime, JSON, SafeInt). */
export const DateTime = DateTimeResolver;
export const JSONScalar = JSONResolver;
export const SafeInt = SafeIntResolver;
