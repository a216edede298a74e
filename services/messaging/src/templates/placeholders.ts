import { errors } from '@platform/errors';

/** The contact fields a placeholder may name. Phone numbers are deliberately absent (SPEC I6: a restricted user must not read them in a body). */
export const PLACEHOLDER_FIELDS = ['firstName', 'lastName', 'fullName', 'email'] as const;
export type PlaceholderField = (typeof PLACEHOLDER_FIELDS)[number];

/** `{{ name }}` or `{{ name | fallback }}`; the fallback is used when the contact has no value. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*(?:\|([^{}]{0,100}))?\}\}/g;

export interface Placeholder {
  name: PlaceholderField;
  fallback: string | null;
}

/** The placeholders of a template body; an unknown name, or braces that are not a placeholder, are BAD_USER_INPUT. */
export function parsePlaceholders(body: string, field = 'body'): Placeholder[] {
  const found: Placeholder[] = [];
  for (const match of body.matchAll(PLACEHOLDER)) {
    const name = match[1];
    if (!(PLACEHOLDER_FIELDS as readonly string[]).includes(name)) {
      throw errors.badInput(`Unknown placeholder {{${name}}}; use one of ${PLACEHOLDER_FIELDS.join(', ')}`, field);
    }
    found.push({ name: name as PlaceholderField, fallback: match[2] === undefined ? null : match[2].trim() });
  }
  if (/\{\{|\}\}/.test(body.replace(PLACEHOLDER, ''))) throw errors.badInput('A {{ or }} is not a well-formed placeholder', field);
  return found;
}
