import { errors } from '@platform/errors';
import type { Logger } from '@platform/server';
import type { CreditService } from './service';

/** The most reservations one captureCredits call takes. */
export const MAX_CAPTURES_PER_CALL = 500;

export interface CaptureAsked {
  reservationId: string;
  units: number | null;
}

/** The captures of a captureCredits call: the mutation's argument, or the internal call's `captures`. */
export function capturesAsked(value: unknown): CaptureAsked[] {
  if (!Array.isArray(value)) throw errors.badInput('captures must be a list', 'captures');
  if (value.length > MAX_CAPTURES_PER_CALL) throw errors.badInput(`captures holds at most ${MAX_CAPTURES_PER_CALL} reservations`, 'captures');
  return value.map((capture: unknown) => {
    const { reservationId, units } = (capture ?? {}) as { reservationId?: unknown; units?: unknown };
    if (typeof reservationId !== 'string') throw errors.badInput('Each capture names its reservationId', 'captures');
    return { reservationId, units: (units ?? null) as number | null };
  });
}

/**
 * captureCredits, as the mutation and the internal call answer it: each capture's reservation, or its
 * refusal's code and message. An automatic top-up starts, once the captures committed and without
 * being awaited (the provider call must not delay or undo a debit), for each balance a capture left
 * below its threshold.
 */
export async function captureCredits(credit: CreditService, captures: CaptureAsked[], autoTopUp: (payingAccountId: string) => Promise<unknown>, logger: Logger) {
  const outcomes = await credit.captureMany(captures);
  for (const accountId of new Set(outcomes.flatMap((outcome) => (outcome.autoTopUpAccountId ? [outcome.autoTopUpAccountId] : [])))) {
    void autoTopUp(accountId).catch((error) => logger.error({ err: error }, 'automatic top-up failed'));
  }
  return outcomes.map(({ reservationId, reservation, error }) => ({ reservationId, reservation, errorCode: error?.code ?? null, errorMessage: error?.message ?? null }));
}
