import { GraphQLScalarType, Kind } from 'graphql';
import { AppError } from '@platform/errors';

/**
 * `scalar DateTime`: an instant as an ISO 8601 string in UTC with milliseconds
 * (`2026-12-02T08:30:00.000Z`). Resolvers return the row's Date (or timestamptz text) as it is;
 * this serializes it, so no resolver formats dates itself. Input values must carry their offset.
 */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An instant, as an ISO 8601 string in UTC (e.g. 2026-12-02T08:30:00.000Z)',
  serialize(value) {
    const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) throw new TypeError('DateTime cannot represent this value');
    return date.toISOString();
  },
  parseValue(value) {
    return parseDateTime(value);
  },
  parseLiteral(ast) {
    return parseDateTime(ast.kind === Kind.STRING ? ast.value : null);
  },
});

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && WITH_OFFSET.test(value) ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) throw new AppError('BAD_USER_INPUT', 'A DateTime is an ISO 8601 instant with its offset, e.g. 2026-12-02T08:30:00Z');
  return date;
}
