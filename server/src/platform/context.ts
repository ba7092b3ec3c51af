import type { RouteAccess } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import type { AuditChainer } from './audit.js';
import type { AuthContext } from './auth-context.js';
import type { Config } from './config.js';
import type { FieldCipher } from './crypto.js';
import type { FileStore } from './files.js';
import type { Sweeper } from './jobs.js';
import type { RealtimeHub } from './realtime.js';

/** The services every module gets: one instance per process, shared by all requests. */
export interface Platform {
  config: Config;
  database: Database;
  db: Kysely<DB>;
  cipher: FieldCipher;
  realtime: RealtimeHub;
  sweeper: Sweeper;
  auditChainer: AuditChainer;
  files: FileStore;
}

declare module 'fastify' {
  interface FastifyInstance {
    platform: Platform;
  }
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    /** What the route needs: a permission from `domain/permissions.ts`, `authenticated` or `public`. */
    access?: RouteAccess;
    /** Reachable while the session still has to change its password or pass TOTP. */
    allowPending?: boolean;
  }
}

/** The request's auth context; routes behind a permission always have one. */
export function authOf(request: { auth: AuthContext | null }): AuthContext {
  if (!request.auth) throw new Error('Route reached without authentication');
  return request.auth;
}
