import type { Kysely } from 'kysely';
import type { DB } from './db/schema.js';
import { appendAudit } from './platform/audit.js';
import { randomToken } from './platform/crypto.js';
import { hashPassword } from './platform/passwords.js';

/**
 * An empty database (DEMO=0) gets one root unit and one system administrator with a random
 * initial password, printed once; the administrator must change it and enrol TOTP at first login.
 */
export async function bootstrapEmpty(db: Kysely<DB>): Promise<{ username: string; password: string } | null> {
  const existing = await db.selectFrom('org_unit').select('id').limit(1).executeTakeFirst();
  if (existing) return null;
  const password = `Sc-${randomToken(9)}9a`;
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    const root = await trx
      .insertInto('org_unit')
      .values({ level: 'province', code: 'ROOT', name: process.env.ROOT_ORG_NAME ?? '省教育厅', path: '/pending/' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const path = `/${root.id}/`;
    await trx.updateTable('org_unit').set({ path }).where('id', '=', root.id).execute();
    const admin = await trx
      .insertInto('app_user')
      .values({
        username: 'admin',
        display_name: '系统管理员',
        password_hash: passwordHash,
        must_change_password: true,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('role_assignment')
      .values({ user_id: admin.id, role: 'system_admin', org_id: root.id, org_path: path })
      .execute();
    await appendAudit(
      trx,
      { actorId: null, actorName: 'system', ip: null },
      { action: 'system.bootstrap', targetType: 'user', targetId: admin.id, orgPath: path },
    );
  });
  return { username: 'admin', password };
}
