import type { ColumnType, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Licence and year of birth of a guard (保安员), for the seed 003 form (migration 0011). */
export interface GuardProfileTable {
  user_id: number;
  licensed: ColumnType<boolean, boolean | undefined, boolean>;
  licence_no_encrypted: string | null;
  birth_year: number | null;
  updated_by: number | null;
  updated_at: Timestamp;
}

export interface GuardsDB {
  guard_profile: GuardProfileTable;
}

export type GuardProfileRow = Selectable<GuardProfileTable>;
