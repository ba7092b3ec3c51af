import { z } from 'zod';
import { orgLevelSchema } from '../org.js';
import { roleCodeSchema } from '../roles.js';
import { id, idParam, line, pageQuery, phone, searchText, username } from './fields.js';

export const roleAssignment = z.object({
  id: z.number(),
  role: roleCodeSchema,
  orgId: z.number(),
  orgName: z.string(),
  orgLevel: orgLevelSchema,
  orgPath: z.string(),
});
export type RoleAssignment = z.infer<typeof roleAssignment>;

export const user = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  /** Masked in lists and details: 138****5678. */
  phone: z.string().nullable(),
  disabled: z.boolean(),
  locked: z.boolean(),
  totpEnabled: z.boolean(),
  mustChangePassword: z.boolean(),
  lastLoginAt: z.string().nullable(),
  roles: z.array(roleAssignment),
  createdAt: z.string(),
});
export type User = z.infer<typeof user>;

export const createUserBody = z.strictObject({
  username,
  displayName: line(50),
  phone: phone.nullable().optional(),
  /** Initial password; the user must change it at first login. */
  password: z.string().min(1).max(128),
  roles: z
    .array(z.strictObject({ role: roleCodeSchema, orgId: id }))
    .min(1)
    .max(20),
});

export const updateUserBody = z.strictObject({
  displayName: line(50).optional(),
  phone: phone.nullable().optional(),
  disabled: z.boolean().optional(),
});

export const resetPasswordBody = z.strictObject({
  password: z.string().min(1).max(128),
});

export const addRoleBody = z.strictObject({ role: roleCodeSchema, orgId: id });

export const listUsersQuery = z.strictObject({
  /** Users holding a role at this unit or below it. */
  orgId: idParam.optional(),
  role: roleCodeSchema.optional(),
  /** Matches user name or display name. */
  keyword: searchText(100).optional(),
  ...pageQuery,
});

export const exportUsersQuery = listUsersQuery.omit({ limit: true, cursor: true });

/** One entry of the role catalogue; names are translated in the web. */
export const roleInfo = z.object({
  code: roleCodeSchema,
  /** Org levels at which the role may be held. */
  levels: z.array(orgLevelSchema),
  /** One of the three separated administrator roles (三员分立). */
  administrator: z.boolean(),
  /** Whether the caller may grant or revoke it. */
  assignable: z.boolean(),
});
export type RoleInfo = z.infer<typeof roleInfo>;
