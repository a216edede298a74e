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

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(value: unknown): string {
  const match = typeof value === 'string' ? CALENDAR_DATE.exec(value) : null;
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!match || !date || date.getUTCDate() !== Number(match[3]) || date.getUTCMonth() !== Number(match[2]) - 1) {
    throw new AppError('BAD_USER_INPUT', 'A Date is a calendar day YYYY-MM-DD, e.g. 2026-12-02');
  }
  return value as string;
}

/** `scalar Date`: a calendar day `YYYY-MM-DD` (report days, in the account's time zone), kept as that text. */
export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'A calendar day, YYYY-MM-DD (e.g. 2026-12-02)',
  serialize(value) {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    return parseDate(value);
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    return parseDate(ast.kind === Kind.STRING ? ast.value : null);
  },
});
