import { z } from 'zod';
import { orgLevelSchema } from '../org.js';
import { PERMISSIONS } from '../permissions.js';
import { roleCodeSchema } from '../roles.js';
import { id, searchText } from './fields.js';

export const loginBody = z.strictObject({
  username: searchText(64).pipe(z.string().min(1)),
  password: z.string().min(1).max(128),
});

export const activeOrg = z.object({
  id: z.number(),
  name: z.string(),
  level: orgLevelSchema,
  path: z.string(),
  /** Names from the province down to this unit, for breadcrumbs. */
  trail: z.array(z.object({ id: z.number(), name: z.string(), level: orgLevelSchema })),
});

export const sessionUser = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  /** Every assignment the user holds; the org switcher lists their orgs. */
  assignments: z.array(
    z.object({ role: roleCodeSchema, orgId: z.number(), orgName: z.string(), orgLevel: orgLevelSchema }),
  ),
  activeOrg,
  /** Roles the user holds at the active org. */
  roles: z.array(roleCodeSchema),
  permissions: z.array(z.enum(PERMISSIONS)),
  totpEnabled: z.boolean(),
  /** What the session must do before anything else. */
  pending: z.enum(['none', 'totp', 'password_change', 'totp_enrolment']),
});
export type SessionUser = z.infer<typeof sessionUser>;

export const loginResponse = z.object({ user: sessionUser, csrfToken: z.string() });

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(128),
  newPassword: z.string().min(1).max(128),
});

export const totpCodeBody = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/),
});

export const totpEnrolment = z.object({
  secret: z.string(),
  otpauthUrl: z.string(),
  /** PNG data URL of the otpauth QR code. */
  qrDataUrl: z.string(),
});

export const switchOrgBody = z.strictObject({ orgId: id });
