import { z } from 'zod';
import { orgLevelSchema, placeKindSchema, schoolTypeSchema } from '../org.js';
import { code, id, idParam, line, pageQuery, paragraph, searchText } from './fields.js';

export const orgUnit = z.object({
  id: z.number(),
  parentId: z.number().nullable(),
  level: orgLevelSchema,
  code: z.string(),
  name: z.string(),
  /** For schools: 高校 / 中职 / 中学 / 小学 / 幼儿园. */
  schoolType: schoolTypeSchema.nullable(),
  address: z.string().nullable(),
  /** Materialised path of ids from the root, `/1/12/305/`. */
  path: z.string(),
  /** Number of direct children. */
  childCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OrgUnit = z.infer<typeof orgUnit>;

export const createOrgBody = z.strictObject({
  /** The unit above; null only for a province. */
  parentId: id.nullable(),
  level: orgLevelSchema,
  code,
  name: line(100),
  schoolType: schoolTypeSchema.nullable().optional(),
  address: line(200).nullable().optional(),
});

export const updateOrgBody = z.strictObject({
  code: code.optional(),
  name: line(100).optional(),
  schoolType: schoolTypeSchema.nullable().optional(),
  address: line(200).nullable().optional(),
});

export const listOrgsQuery = z.strictObject({
  /** Root of the search; defaults to the caller's active org. */
  rootId: idParam.optional(),
  level: orgLevelSchema.optional(),
  schoolType: schoolTypeSchema.optional(),
  /** Matches name or code. */
  keyword: searchText(100).optional(),
  ...pageQuery,
});

export const subtreeQuery = z.strictObject({
  /** Deepest level to include (e.g. `school` to leave departments out). */
  maxLevel: orgLevelSchema.optional(),
});

export const place = z.object({
  id: z.number(),
  orgId: z.number(),
  parentId: z.number().nullable(),
  kind: placeKindSchema,
  code: z.string(),
  name: z.string(),
  /** 重点部位 */
  keyPart: z.boolean(),
  description: z.string().nullable(),
  /** Floor-plan file and the point on it, 0..1 of its width and height. */
  floorPlanFileId: z.string().nullable(),
  planX: z.number().nullable(),
  planY: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Place = z.infer<typeof place>;

const planCoordinate = z.number().min(0).max(1).nullable().optional();

export const createPlaceBody = z.strictObject({
  /** The school that owns the place. */
  orgId: id,
  parentId: id.nullable().optional(),
  kind: placeKindSchema,
  code,
  name: line(100),
  keyPart: z.boolean().optional(),
  description: paragraph(1000).nullable().optional(),
  floorPlanFileId: z.uuid().nullable().optional(),
  planX: planCoordinate,
  planY: planCoordinate,
});

export const updatePlaceBody = createPlaceBody.omit({ orgId: true }).partial().strict();

export const listPlacesQuery = z.strictObject({
  orgId: idParam,
  kind: placeKindSchema.optional(),
  keyPart: z.enum(['true', 'false']).optional(),
  /** Matches name or code. */
  keyword: searchText(100).optional(),
  ...pageQuery,
});

export const importReport = z.object({
  created: z.number(),
  updated: z.number(),
});

export const importRowError = z.object({
  /** Row number as shown in Excel (header is row 1). */
  row: z.number(),
  column: z.string().nullable(),
  message: z.string(),
});
