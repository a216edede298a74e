import { AppError } from '@platform/errors';
import { PLATFORM_DEFAULTS, resolveSettings, validateSettingsInput } from '../account-settings';
import { SecretBox } from '../secret-box';

const ROOT = 'b0000000-0000-4000-8000-000000000000';
const REGION = 'b1000000-0000-4000-8000-000000000000';
const STORE = 'b1100000-0000-4000-8000-000000000000';

describe('inherited settings (SPEC H5)', () => {
  it('each setting comes from the account, else its nearest ancestor, else the platform default, and says where from', () => {
    // Arrange
    const overrides = new Map([
      [ROOT, { timezone: 'Europe/Paris', trackableLinks: true }],
      [REGION, { timezone: 'Europe/Berlin' }],
      [STORE, { deliveryReceipts: false }],
    ]);

    // Act
    const { values, origins } = resolveSettings([ROOT, REGION, STORE], overrides);

    // Assert
    expect(values).toMatchObject({ timezone: 'Europe/Berlin', trackableLinks: true, deliveryReceipts: false, optOutKeywords: PLATFORM_DEFAULTS.optOutKeywords });
    expect(origins.timezone).toEqual({ source: 'INHERITED', accountId: REGION, depth: 1 });
    expect(origins.trackableLinks).toEqual({ source: 'INHERITED', accountId: ROOT, depth: 0 });
    expect(origins.deliveryReceipts).toEqual({ source: 'OWN', accountId: STORE, depth: 2 });
    expect(origins.optOutKeywords).toEqual({ source: 'DEFAULT', accountId: null, depth: null });
  });

  it('valid input is normalised: canonical time zone, upper-case unique keywords, days in week order', () => {
    // Act
    const { set } = validateSettingsInput({ timezone: 'europe/paris', optOutKeywords: ['stop', ' Stop ', 'fin'], sendingWindow: { days: ['FRIDAY', 'MONDAY'], start: '08:00', end: '18:30' } });

    // Assert
    expect(set).toEqual({ timezone: 'Europe/Paris', optOutKeywords: ['STOP', 'FIN'], sendingWindow: { days: ['MONDAY', 'FRIDAY'], start: '08:00', end: '18:30' } });
  });

  it.each([
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['no opt-out keyword', { optOutKeywords: [] }, 'optOutKeywords'],
    ['a keyword of two words', { optOutKeywords: ['PLEASE STOP'] }, 'optOutKeywords'],
    ['a window ending before it starts', { sendingWindow: { days: ['MONDAY'], start: '18:00', end: '08:00' } }, 'sendingWindow'],
    ['a daily limit above the monthly one', { smsLimits: { daily: 50, monthly: 10 } }, 'smsLimits'],
    ['a negative limit', { smsLimits: { daily: -1 } }, 'smsLimits.daily'],
    ['a malformed default sender id', { defaultSenderId: 'sender-1' }, 'defaultSenderId'],
    ['a setting both set and cleared', { timezone: 'UTC', clear: ['TIMEZONE'] }, 'clear'],
  ])('%s is refused as BAD_USER_INPUT naming the field', (_case, input, field) => {
    // Act
    let refusal: unknown = null;
    try {
      validateSettingsInput(input);
    } catch (error) {
      refusal = error;
    }

    // Assert
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});

describe('sealed secrets', () => {
  it('opens what it sealed, only with the same associated data, purpose and key', () => {
    // Arrange
    const box = new SecretBox('key-material', 'webhook-secret');
    const sealed = box.seal('whsec_123', 'endpoint-1');

    // Act
    const opened = box.open(sealed, 'endpoint-1');
    const attempts = [
      () => box.open(sealed, 'endpoint-2'),
      () => new SecretBox('key-material', 'mail').open(sealed, 'endpoint-1'),
      () => new SecretBox('other-key', 'webhook-secret').open(sealed, 'endpoint-1'),
      () => box.open(sealed.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), 'endpoint-1'),
    ];

    // Assert
    expect(opened).toBe('whsec_123');
    expect(sealed).not.toContain('whsec_123');
    for (const attempt of attempts) expect(attempt).toThrow();
  });
});
