import { z } from 'zod';
import { idParam, isoDateTime, pageQuery, searchText } from './fields.js';

export const auditEntry = z.object({
  id: z.number(),
  at: z.string(),
  actorId: z.number().nullable(),
  actorName: z.string().nullable(),
  ip: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  orgPath: z.string().nullable(),
  /** Before/after summary; secrets are never written here. */
  detail: z.unknown(),
  outcome: z.enum(['success', 'failure']),
});

export const listAuditQuery = z.strictObject({
  action: searchText(64).optional(),
  actorId: idParam.optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  keyword: searchText(100).optional(),
  ...pageQuery,
});

export const auditVerification = z.object({
  ok: z.boolean(),
  checked: z.number(),
  /** The first row whose hash does not match, when the chain is broken. */
  brokenAt: z.object({ id: z.number(), at: z.string(), reason: z.string() }).nullable(),
});
