import { countSmsParts } from '../sms-encoding';
import { localDate, nextAllowedInstant } from '../sending-window';
import { maskPhoneNumber, toE164 } from '../../phone/phone';

describe('SMS parts (SPEC M1)', () => {
  it.each([
    ['a'.repeat(160), 'GSM7', 1],
    ['a'.repeat(161), 'GSM7', 2],
    ['a'.repeat(306), 'GSM7', 2],
    ['a'.repeat(307), 'GSM7', 3],
    ['€'.repeat(80), 'GSM7', 1],
    ['€'.repeat(81), 'GSM7', 2],
    ['a'.repeat(152) + '€', 'GSM7', 1],
    ['a'.repeat(159) + '€', 'GSM7', 2],
    ['é'.repeat(160), 'GSM7', 1],
    ['ж'.repeat(70), 'UCS2', 1],
    ['ж'.repeat(71), 'UCS2', 2],
    ['ж'.repeat(134), 'UCS2', 2],
    ['ж'.repeat(135), 'UCS2', 3],
    ['😀'.repeat(35), 'UCS2', 1],
    ['😀'.repeat(36), 'UCS2', 2],
  ])('%#: %s chars → %s, %i parts', (body, encoding, parts) => {
    // Act
    const result = countSmsParts(body);

    // Assert
    expect(result).toMatchObject({ encoding, parts });
  });

  it('keeps an extension character whole at a part boundary (152 septets + 2 → second part)', () => {
    // Arrange: 153 + 1 septets would fit only if the escape pair were split
    const body = 'a'.repeat(152) + '[' + 'a'.repeat(10);

    // Act / Assert
    expect(countSmsParts(body)).toEqual({ encoding: 'GSM7', length: 164, parts: 2 });
  });
});

describe('sending window (SPEC H5, M2)', () => {
  const weekdays = { days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'], start: '09:00', end: '20:00' };

  it.each([
    // [instant, timezone, expected]
    ['2025-06-04T10:00:00Z', 'Europe/Paris', '2025-06-04T10:00:00.000Z'], // Wed 12:00 Paris: inside
    ['2025-06-04T06:59:00Z', 'Europe/Paris', '2025-06-04T07:00:00.000Z'], // Wed 08:59 Paris → 09:00 the same day
    ['2025-06-04T07:00:00Z', 'Europe/Paris', '2025-06-04T07:00:00.000Z'], // start is inclusive
    ['2025-06-04T17:59:00Z', 'Europe/Paris', '2025-06-04T17:59:00.000Z'], // 19:59 inside
    ['2025-06-04T18:00:00Z', 'Europe/Paris', '2025-06-05T07:00:00.000Z'], // end is exclusive → Thursday 09:00
    ['2025-06-06T19:00:00Z', 'Europe/Paris', '2025-06-09T07:00:00.000Z'], // Friday 21:00 → Monday 09:00
    ['2025-06-04T10:00:00Z', 'America/New_York', '2025-06-04T13:00:00.000Z'], // 06:00 New York → 09:00 EDT
    ['2025-06-04T23:30:00Z', 'Asia/Tokyo', '2025-06-05T00:00:00.000Z'], // Thu 08:30 Tokyo → 09:00
    // DST: Paris springs forward on Sun 30 March 2025, so Monday 09:00 is UTC+2 while Friday was UTC+1
    ['2025-03-28T19:30:00Z', 'Europe/Paris', '2025-03-31T07:00:00.000Z'],
    // and falls back on Sun 26 October 2025: Monday 09:00 is UTC+1
    ['2025-10-24T19:30:00Z', 'Europe/Paris', '2025-10-27T08:00:00.000Z'],
    // New York springs forward on 9 March 2025
    ['2025-03-08T02:00:00Z', 'America/New_York', '2025-03-10T13:00:00.000Z'],
  ])('%s in %s → %s', (instant, timezone, expected) => {
    // Act
    const result = nextAllowedInstant(new Date(instant), weekdays, timezone);

    // Assert
    expect(result.toISOString()).toBe(expected);
  });

  it('moves a window starting inside a DST gap to the first minute after the gap', () => {
    // Arrange: 02:30 does not exist in Paris on 30 March 2025 (02:00 → 03:00)
    const window = { days: ['SUNDAY'], start: '02:30', end: '05:00' };

    // Act
    const result = nextAllowedInstant(new Date('2025-03-29T12:00:00Z'), window, 'Europe/Paris');

    // Assert: 03:00 CEST = 01:00Z (the first existing wall time after 02:30)
    expect(result.toISOString()).toBe('2025-03-30T01:00:00.000Z');
  });

  it('dates usage in the account timezone', () => {
    expect(localDate(new Date('2025-06-04T23:30:00Z'), 'Asia/Tokyo')).toBe('2025-06-05');
    expect(localDate(new Date('2025-06-04T23:30:00Z'), 'America/Los_Angeles')).toBe('2025-06-04');
  });
});

describe('phone numbers (SPEC M5, I6)', () => {
  it('normalises to E.164 with a default country, refuses invalid numbers and masks', () => {
    expect(toE164('07400 123456', 'GB')).toBe('+447400123456');
    expect(toE164('+33 6 12 34 56 78', 'GB')).toBe('+33612345678');
    expect(toE164('12345', 'GB')).toBeNull();
    expect(maskPhoneNumber('+447700900189')).toBe('+44********89');
  });
});
