import type { EntityManager } from 'typeorm';

/**
 * The contract between the send pipeline (issue 4) and the usage rollups (issue 7, SPEC R1/R3).
 * The pipeline calls applyUsage in the SAME transaction as the change it describes:
 * - a message accepted (queued or scheduled): messages 1, parts n, costUnits c
 * - a status change to DELIVERED: delivered 1; to FAILED or EXPIRED: failed 1
 * - a cancelled scheduled message: messages -1, parts -n, costUnits -c
 * `day` is the local date (YYYY-MM-DD) in the sending account's timezone at acceptance; it is
 * stored on the message (messaging.messages.usage_day) so later changes hit the same day.
 * The rollups add each change to the row of the account and of each of its ancestors.
 */
export interface UsageChange {
  accountId: string;
  userId: string | null;
  senderId: string | null;
  day: string;
  messages: number;
  parts: number;
  delivered: number;
  failed: number;
  costUnits: number;
}

export type ApplyUsage = (manager: EntityManager, changes: UsageChange[]) => Promise<void>;

/** Replaced by the rollup writer of issue 7; until then usage is derived from messages only. */
export const applyUsage: ApplyUsage = async () => {};
