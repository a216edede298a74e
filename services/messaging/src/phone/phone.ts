import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { AppError } from '@platform/errors';

/** E.164 of a valid number, or null. Numbers without +country code use `defaultCountry`. */
export function toE164(raw: string, defaultCountry: string): string | null {
  const text = raw.trim();
  if (text.length === 0 || text.length > 32) return null;
  const parsed = parsePhoneNumberFromString(text, defaultCountry.toUpperCase() as CountryCode);
  return parsed && parsed.isValid() ? parsed.number : null;
}

export function requireE164(raw: string, defaultCountry: string, field = 'phoneNumber'): string {
  const number = toE164(raw, defaultCountry);
  if (!number) throw new AppError('INVALID_PHONE_NUMBER', `${field} is not a valid phone number`, { field });
  return number;
}

/** `+447700900189` → `+44*******89`: what users with restricted contact access see (SPEC I6). */
export function maskPhoneNumber(number: string): string {
  if (number.length <= 5) return '*'.repeat(number.length);
  return `${number.slice(0, 3)}${'*'.repeat(number.length - 5)}${number.slice(-2)}`;
}

export const isCountryCode = (value: string): boolean => /^[A-Z]{2}$/.test(value);
