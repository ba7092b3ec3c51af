import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The minimum the school form of seed 003 needs about a guard (保安员) beyond the user with the guard role:
    -- whether they hold a security guard licence (持证上岗) and their year of birth (超龄). One row per person,
    -- whichever schools they guard. The licence number is optional, AES-GCM encrypted, masked in responses.
    CREATE TABLE guard_profile (
      user_id integer PRIMARY KEY REFERENCES app_user(id) ON DELETE CASCADE,
      licensed boolean NOT NULL DEFAULT false,
      licence_no_encrypted text,
      birth_year smallint CHECK (birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100),
      updated_by integer REFERENCES app_user(id),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- Guards of a school are found by their role: role_assignment(org_path, role) serves that lookup.
    CREATE INDEX role_assignment_guard ON role_assignment(org_path text_pattern_ops) WHERE role = 'guard';
  `.execute(db);
}
