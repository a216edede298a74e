import { AppError } from '@platform/errors';
import { decodeCursor, encodeCursor } from '../cursor';
import { byKey, groupBy } from '../sql';

describe('the one cursor codec', () => {
  it('gives back the sort key it was made from, opaque to the client', () => {
    // Arrange
    const key = ['2026-12-02 08:30:00.123456+00', '4b0c3c84-1e0f-4d3a-9d43-8f1f3b0a0c11'] as const;

    // Act
    const cursor = encodeCursor(key);
    const decoded = decodeCursor(cursor, ['string', 'string']);

    // Assert
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decoded).toEqual([...key]);
  });

  it.each([
    ['not base64 JSON', '!!!'],
    ['another list\'s cursor (other shape)', encodeCursor([3, 'Name', 'id'])],
    ['a value of the wrong type', encodeCursor([12, 'id'])],
    ['a JSON object', Buffer.from('{"at":"x"}').toString('base64url')],
  ])('refuses %s as BAD_USER_INPUT naming the argument', (_case, cursor) => {
    // Act
    let refusal: unknown = null;
    try {
      decodeCursor(cursor, ['string', 'string'], 'after');
    } catch (error) {
      refusal = error;
    }

    // Assert
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('DataLoader batch shapes', () => {
  it('byKey answers one row or null per key, in the keys\' order; groupBy answers every row of each key', () => {
    // Arrange
    const rows = [{ id: 'b', account: 'x' }, { id: 'a', account: 'x' }, { id: 'c', account: 'y' }];

    // Act
    const one = byKey(['a', 'missing', 'b'], rows, (row) => row.id);
    const grouped = groupBy(['y', 'x', 'z'], rows, (row) => row.account);

    // Assert
    expect(one).toEqual([rows[1], null, rows[0]]);
    expect(grouped).toEqual([[rows[2]], [rows[0], rows[1]], []]);
  });
});
