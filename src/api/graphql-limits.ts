import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Kind,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/** Bounds on one GraphQL operation; one set, enforced on HTTP and WebSocket alike. */
export interface GraphQLLimits {
  /** Deepest field nesting (introspection excluded). */
  maxDepth: number;
  /** Aliased fields in one operation: what turned one request into 1,000 `myAssets`. */
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens in the document, checked while parsing, before any validation work. */
  maxTokens: number;
  /**
   * graphql-armor's cost: 2 per object, 1 per scalar, ×1.5 per level, × a literal `first`. The
   * heaviest page a client needs (`myAssets(first: 100)` with every asset field) costs about 8,400;
   * a `first` given as a variable counts as 1, so `maxAliases` is what bounds repeated pages.
   */
  maxCost: number;
}

// The armor rules would throw out of graphql-js' validate(); reporting keeps the error a plain
// validation failure (GRAPHQL_VALIDATION_FAILED, HTTP 400) on both transports.
const report = { propagateOnRejection: false, onReject: [reportToContext] };

function reportToContext(context: ValidationContext | null, error: GraphQLError): void {
  context?.reportError(error);
}

/** Validation rules added to graphql-js' own, for Apollo (`validationRules`) and graphql-ws alike. */
export function limitRules(limits: GraphQLLimits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, ...report }),
    maxAliasesRule({ n: limits.maxAliases, ...report }),
    maxDirectivesRule({ n: limits.maxDirectives, ...report }),
    costLimitRule({ maxCost: limits.maxCost, ignoreIntrospection: true, ...report }),
  ] as ValidationRule[];
}

/** graphql-js' own token limit, for Apollo (`parseOptions`) and graphql-ws alike. */
export function limitParseOptions(limits: GraphQLLimits): ParseOptions {
  return { maxTokens: limits.maxTokens };
}

export type CheckedOperation =
  { document: DocumentNode; operation: OperationDefinitionNode } | { errors: GraphQLError[] };

/**
 * Parses and validates one operation with the limits, the way Apollo does over HTTP: a parse
 * failure is GRAPHQL_PARSE_FAILED, anything validation refuses GRAPHQL_VALIDATION_FAILED.
 */
export function checkOperation(
  schema: GraphQLSchema,
  request: { query: unknown; operationName?: unknown },
  limits: GraphQLLimits,
  rules: readonly ValidationRule[] = limitRules(limits),
): CheckedOperation {
  if (typeof request.query !== 'string') {
    return { errors: [codedError('GraphQL operations must contain a query string', 'BAD_REQUEST')] };
  }
  let document: DocumentNode;
  try {
    document = parse(request.query, limitParseOptions(limits));
  } catch (error) {
    const message = error instanceof GraphQLError ? error.message : 'Syntax Error';
    return { errors: [codedError(message, 'GRAPHQL_PARSE_FAILED')] };
  }
  const invalid = validate(schema, document, [...specifiedRules, ...rules]);
  if (invalid.length > 0) {
    return { errors: invalid.map((error) => codedError(error.message, 'GRAPHQL_VALIDATION_FAILED')) };
  }
  const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    return {
      errors: [codedError('Unable to identify the operation to run', 'OPERATION_RESOLUTION_FAILURE')],
    };
  }
  return { document, operation };
}

/**
 * What an operation costs against the per-user rate limit: one point per root field (aliases,
 * fragments and every mutation counted), at least one. 200 aliased `initiateUpload` cost 200.
 */
export function rootFieldCount(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let count = 0;
  // Iterative, and each named fragment expanded once per root: no cycle or nesting can make it loop.
  const pending: SelectionSetNode[] = [operation.selectionSet];
  const expanded = new Set<string>();
  while (pending.length > 0) {
    for (const selection of pending.pop()!.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '__typename') count++;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        pending.push(selection.selectionSet);
      } else if (!expanded.has(selection.name.value)) {
        expanded.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) pending.push(fragment.selectionSet);
      }
    }
  }
  return Math.max(count, 1);
}

const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** graphql-js' "Did you mean …?" hints map the schema for a caller who cannot introspect it. */
export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

function codedError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}
