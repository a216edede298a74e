import { Kind } from 'graphql';
import { AppError } from '@platform/errors';
import { DateScalar, DateTimeScalar } from '../scalars';

const refusalOf = (parse: () => unknown) => {
  try {
    parse();
    return null;
  } catch (error) {
    return error;
  }
};

describe('DateTime and Date scalars', () => {
  it('DateTime serializes a row Date or timestamptz text as UTC ISO 8601 and parses instants with an offset', () => {
    // Act / Assert
    expect(DateTimeScalar.serialize(new Date('2026-12-02T08:30:00.123Z'))).toBe('2026-12-02T08:30:00.123Z');
    expect(DateTimeScalar.serialize('2026-12-02 09:30:00.123456+01')).toBe('2026-12-02T08:30:00.123Z');
    expect((DateTimeScalar.parseValue('2026-12-02T09:30:00+01:00') as Date).toISOString()).toBe('2026-12-02T08:30:00.000Z');
  });

  it.each(['2026-12-02T08:30:00', 'tomorrow', '2026-13-02T08:30:00Z'])('DateTime refuses %s (no offset, or not a date) as BAD_USER_INPUT', (value) => {
    // Act
    const refusal = refusalOf(() => DateTimeScalar.parseValue(value));

    // Assert
    expect((refusal as AppError).code).toBe('BAD_USER_INPUT');
  });

  it('Date keeps a calendar day as YYYY-MM-DD and refuses impossible days', () => {
    // Act / Assert
    expect(DateScalar.parseValue('2026-02-28')).toBe('2026-02-28');
    expect(DateScalar.parseLiteral({ kind: Kind.STRING, value: '2026-12-02' })).toBe('2026-12-02');
    expect(DateScalar.serialize(new Date('2026-12-02T00:00:00Z'))).toBe('2026-12-02');
    expect((refusalOf(() => DateScalar.parseValue('2026-02-30')) as AppError).code).toBe('BAD_USER_INPUT');
    expect((refusalOf(() => DateScalar.parseValue('02/12/2026')) as AppError).code).toBe('BAD_USER_INPUT');
  });
});
