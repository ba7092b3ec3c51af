import {
  type FieldTotalsDto,
  type FormContent,
  type FormSummary,
  fieldsOf,
  type LateSchool,
  NOT_APPLICABLE,
  type SubmissionRow,
  type SubmissionState,
  type SubmissionTable,
  type SummaryCell,
  type SummaryGroup,
  type SummaryLayout,
  summaryNumberColumns,
  summaryRow,
  summaryTotals,
  type UnitTotals,
} from '@safe-campus/domain';
import { type Expression, expressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { AuthContext } from '../../platform/auth-context.js';
import { notFound } from '../../platform/errors.js';
import { LEVEL_COLUMN, type LevelColumn, levelColumnOf } from '../../platform/levels.js';
import { decodeCursor, encodeCursor } from '../../platform/pagination.js';
import { inScope, scopePrefix } from '../../platform/scope.js';
import { escapeLike } from '../orgs/queries.js';
import { HANDED_IN, iso, type OrgRef, orgById } from './common.js';
import type { CollectionRow, FormService } from './service.js';

interface Narrowing {
  unit: OrgRef;
  column: LevelColumn;
  id: number;
}

/** The unit a table or summary covers: `orgId` (in scope) or the caller's active org. */
async function narrowing(db: Kysely<DB>, auth: AuthContext, orgId: number | undefined): Promise<Narrowing> {
  const unit = await orgById(db, orgId ?? auth.activeOrg.id);
  if (!unit || !inScope(auth, unit.path)) throw notFound();
  // A department narrows to its school (the rows hold no department column).
  const column = levelColumnOf(unit.level) ?? LEVEL_COLUMN.school;
  const ids = unit.path.split('/').filter(Boolean).map(Number);
  const id = column === 'school_id' ? ids[3]! : unit.id;
  return { unit, column, id };
}

const HANDED = sql`form_submission.status IN ('submitted','signed','cosigned','accepted')`;

/** The number and yes/no fields of a template (the ones summaries total). */
function totalKeys(content: FormContent): { key: string; type: string }[] {
  return fieldsOf(content)
    .filter((field) => field.type === 'number' || field.type === 'yesno')
    .map((field) => ({ key: field.key, type: field.type }));
}

/**
 * `jsonb_to_record(answers) AS x("k1" jsonb, …)`: the answer document is read once per row and each field becomes a
 * column, instead of one `answers->key` (one detoast) per aggregate. Keys match `fieldKey` (`[a-z][a-zA-Z0-9_]*`).
 */
function answerColumns(keys: readonly string[]) {
  const definitions = keys.map((key) => {
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(key)) throw new Error(`unexpected field key ${key}`);
    return `"${key}" jsonb`;
  });
  return sql`CROSS JOIN LATERAL jsonb_to_record(form_submission.answers) AS x(${sql.raw(definitions.join(', '))})`;
}

const column = (key: string) => sql.raw(`x."${key}"`);

/** SQL aggregates of every number and yes/no field (the query keeps handed-in forms only). */
function totalsSelect(keys: { key: string; type: string }[]) {
  return keys.flatMap(({ key, type }, index) =>
    type === 'number'
      ? [
          sql`coalesce(sum((${column(key)})::numeric) FILTER (WHERE jsonb_typeof(${column(key)}) = 'number'), 0)::float8 AS ${sql.raw(`n${index}`)}`,
        ]
      : [
          sql`count(*) FILTER (WHERE ${column(key)} = 'true'::jsonb)::int AS ${sql.raw(`y${index}`)}`,
          sql`count(*) FILTER (WHERE ${column(key)} = 'false'::jsonb)::int AS ${sql.raw(`f${index}`)}`,
          sql`count(*) FILTER (WHERE ${column(key)} = ${JSON.stringify(NOT_APPLICABLE)}::jsonb)::int AS ${sql.raw(`a${index}`)}`,
        ],
  );
}

function emptyDto(keys: { key: string; type: string }[]): FieldTotalsDto {
  const dto: FieldTotalsDto = { forms: 0, sums: {}, yes: {}, no: {}, notApplicable: {} };
  for (const { key, type } of keys) {
    if (type === 'number') dto.sums[key] = 0;
    else {
      dto.yes[key] = 0;
      dto.no[key] = 0;
      dto.notApplicable[key] = 0;
    }
  }
  return dto;
}

function addDto(target: FieldTotalsDto, source: FieldTotalsDto): void {
  target.forms += source.forms;
  for (const part of ['sums', 'yes', 'no', 'notApplicable'] as const) {
    for (const [key, value] of Object.entries(source[part])) target[part][key] = (target[part][key] ?? 0) + value;
  }
}

interface CountyAggregate {
  countyId: number;
  cityId: number;
  schools: number;
  submitted: number;
  totals: FieldTotalsDto;
}

export class FormSummaries {
  constructor(
    readonly db: Kysely<DB>,
    readonly service: FormService,
  ) {}

  /** One grouped scan per county of the narrowed range: schools, handed-in forms, field totals. */
  private async countyAggregates(
    collection: CollectionRow,
    content: FormContent,
    auth: AuthContext,
    narrow: Narrowing,
    filter: Expression<SqlBool> = sql<boolean>`true`,
  ): Promise<CountyAggregate[]> {
    const keys = totalKeys(content);
    const selects = totalsSelect(keys);
    const where = sql`form_submission.collection_id = ${collection.id}
         AND ${sql.ref(`form_submission.${narrow.column}`)} = ${narrow.id}
         AND form_submission.org_path LIKE ${scopePrefix(auth)}
         AND ${filter}`;
    // Counts per county first (no answer is read), then the field totals over handed-in forms only.
    const counts = await sql<{ county_id: number; city_id: number; schools: number; submitted: number }>`
      SELECT form_submission.county_id, form_submission.city_id, count(*)::int AS schools,
             count(*) FILTER (WHERE ${HANDED})::int AS submitted
        FROM form_submission
       WHERE ${where}
       GROUP BY form_submission.county_id, form_submission.city_id`.execute(this.db);
    const sums =
      selects.length && counts.rows.some((row) => row.submitted > 0)
        ? await sql<Record<string, number>>`
      SELECT form_submission.county_id, ${sql.join(selects)}
        FROM form_submission ${answerColumns(keys.map((k) => k.key))}
       WHERE ${where} AND ${HANDED}
       GROUP BY form_submission.county_id`.execute(this.db)
        : { rows: [] };
    const sumsOf = new Map(sums.rows.map((row) => [row.county_id, row]));
    const rows = counts.rows.map((row) => ({ ...sumsOf.get(row.county_id), ...row }) as Record<string, number>);
    return rows.map((row) => {
      const totals = emptyDto(keys);
      totals.forms = row.submitted!;
      keys.forEach(({ key, type }, index) => {
        if (type === 'number') totals.sums[key] = Number(row[`n${index}`] ?? 0);
        else {
          totals.yes[key] = row[`y${index}`] ?? 0;
          totals.no[key] = row[`f${index}`] ?? 0;
          totals.notApplicable[key] = row[`a${index}`] ?? 0;
        }
      });
      return {
        countyId: row.county_id!,
        cityId: row.city_id!,
        schools: row.schools!,
        submitted: row.submitted!,
        totals,
      };
    });
  }

  private async names(ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('org_unit').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  private rollUp(aggregates: CountyAggregate[], names: Map<number, string>, keys: FieldTotalsDto) {
    const byCounty: UnitTotals[] = aggregates.map((aggregate) => ({
      orgId: aggregate.countyId,
      orgName: names.get(aggregate.countyId) ?? '',
      schools: aggregate.schools,
      submitted: aggregate.submitted,
      totals: aggregate.totals,
    }));
    const cities = new Map<number, UnitTotals>();
    const overall = structuredClone(keys);
    for (const aggregate of aggregates) {
      let city = cities.get(aggregate.cityId);
      if (!city) {
        city = {
          orgId: aggregate.cityId,
          orgName: names.get(aggregate.cityId) ?? '',
          schools: 0,
          submitted: 0,
          totals: structuredClone(keys),
        };
        cities.set(aggregate.cityId, city);
      }
      city.schools += aggregate.schools;
      city.submitted += aggregate.submitted;
      addDto(city.totals, aggregate.totals);
      addDto(overall, aggregate.totals);
    }
    byCounty.sort((a, b) => a.orgId - b.orgId);
    return { byCounty, byCity: [...cities.values()].sort((a, b) => a.orgId - b.orgId), overall };
  }

  /** The submissions table: one row per school of the page, totals per county and city over all matching rows. */
  async table(
    auth: AuthContext,
    id: number,
    query: {
      orgId?: number;
      status?: SubmissionState;
      late?: boolean;
      handedIn?: boolean;
      q?: string;
      limit: number;
      cursor?: string;
    },
  ): Promise<SubmissionTable> {
    const collection = await this.service.visibleCollection(this.db, auth, id);
    const content = await this.service.content(this.db, collection.template_version_id);
    const narrow = await narrowing(this.db, auth, query.orgId);
    const eb = expressionBuilder<DB, 'form_submission'>();
    const parts: Expression<SqlBool>[] = [];
    if (query.status) parts.push(eb('form_submission.status', '=', query.status));
    if (query.late !== undefined) parts.push(eb('form_submission.late', '=', query.late));
    if (query.handedIn !== undefined) {
      parts.push(eb('form_submission.status', query.handedIn ? 'in' : 'not in', [...HANDED_IN]));
    }
    if (query.q) {
      parts.push(
        eb(
          'form_submission.school_id',
          'in',
          eb
            .selectFrom('org_unit')
            .select('org_unit.id')
            .where('org_unit.level', '=', 'school')
            .where('org_unit.name', 'ilike', `%${escapeLike(query.q)}%`),
        ),
      );
    }
    const filter = eb.and(parts);
    let rowsQuery = this.db
      .selectFrom('form_submission')
      .innerJoin('org_unit as school', 'school.id', 'form_submission.school_id')
      .innerJoin('org_unit as county', 'county.id', 'form_submission.county_id')
      .innerJoin('org_unit as city', 'city.id', 'form_submission.city_id')
      .select([
        'form_submission.id',
        'form_submission.school_id',
        'form_submission.county_id',
        'form_submission.city_id',
        'form_submission.status',
        'form_submission.late',
        'form_submission.answers',
        'form_submission.corrections',
        'form_submission.submitted_at',
        'form_submission.signed_at',
        'form_submission.cosigned_at',
        'form_submission.reviewed_at',
        'school.name as school_name',
        'county.name as county_name',
        'city.name as city_name',
      ])
      .where('form_submission.collection_id', '=', collection.id)
      .where(`form_submission.${narrow.column}`, '=', narrow.id)
      .where('form_submission.org_path', 'like', scopePrefix(auth))
      .where(filter);
    if (query.cursor) {
      const [countyId, afterId] = decodeCursor(query.cursor, ['number', 'number']) as [number, number];
      rowsQuery = rowsQuery.where((eb) =>
        eb.or([
          eb('form_submission.county_id', '>', countyId),
          eb.and([eb('form_submission.county_id', '=', countyId), eb('form_submission.id', '>', afterId)]),
        ]),
      );
    }
    const rows = await rowsQuery
      .orderBy('form_submission.county_id')
      .orderBy('form_submission.id')
      .limit(query.limit + 1)
      .execute();
    const scalarKeys = fieldsOf(content)
      .filter((field) => field.type === 'number' || field.type === 'yesno')
      .map((field) => field.key);
    const items: SubmissionRow[] = rows.slice(0, query.limit).map((row) => {
      const answers = (row.answers ?? {}) as Record<string, unknown>;
      const values: Record<string, number | boolean | string | null> = {};
      for (const key of scalarKeys) {
        const value = answers[key];
        values[key] =
          typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' ? value : null;
      }
      return {
        id: row.id,
        schoolId: row.school_id,
        schoolName: row.school_name,
        countyId: row.county_id,
        countyName: row.county_name,
        cityId: row.city_id,
        cityName: row.city_name,
        status: row.status as SubmissionState,
        late: row.late,
        submittedAt: iso(row.submitted_at),
        signedAt: iso(row.signed_at),
        cosignedAt: iso(row.cosigned_at),
        reviewedAt: iso(row.reviewed_at),
        correctionCount: Array.isArray(row.corrections) ? row.corrections.length : 0,
        values,
      };
    });
    const last = items[items.length - 1];
    const aggregates = await this.countyAggregates(collection, content, auth, narrow, filter);
    const names = await this.names([...new Set(aggregates.flatMap((a) => [a.countyId, a.cityId]))]);
    const keys = totalKeys(content);
    const rolled = this.rollUp(aggregates, names, emptyDto(keys));
    return {
      items,
      nextCursor: rows.length > query.limit && last ? encodeCursor([last.countyId, last.id]) : null,
      ...rolled,
    };
  }

  /** Late schools: handed in after the deadline, or still not handed in once it has passed. */
  async late(
    auth: AuthContext,
    id: number,
    now = new Date(),
  ): Promise<{ deadlinePassed: boolean; items: LateSchool[] }> {
    const collection = await this.service.visibleCollection(this.db, auth, id);
    const deadlinePassed = collection.deadline.getTime() < now.getTime();
    const rows = await this.db
      .selectFrom('form_submission')
      .innerJoin('org_unit as school', 'school.id', 'form_submission.school_id')
      .innerJoin('org_unit as county', 'county.id', 'form_submission.county_id')
      .select([
        'form_submission.id',
        'form_submission.school_id',
        'form_submission.status',
        'form_submission.submitted_at',
        'form_submission.late',
        'school.name as school_name',
        'county.name as county_name',
      ])
      .where('form_submission.collection_id', '=', collection.id)
      .where('form_submission.org_path', 'like', scopePrefix(auth))
      .where((eb) =>
        deadlinePassed
          ? eb.or([eb('form_submission.late', '=', true), eb('form_submission.status', 'in', ['draft', 'returned'])])
          : eb('form_submission.late', '=', true),
      )
      .orderBy('form_submission.county_id')
      .orderBy('form_submission.id')
      .limit(5000)
      .execute();
    return {
      deadlinePassed,
      items: rows.map((row) => ({
        submissionId: row.id,
        schoolId: row.school_id,
        schoolName: row.school_name,
        countyName: row.county_name,
        status: row.status as SubmissionState,
        submittedAt: iso(row.submitted_at),
        late: row.late,
      })),
    };
  }

  /**
   * The summary (Attachment 2 for the seed form): one group per county with a row per handed-in school form,
   * county and city totals, and the totals of every number and yes/no field. A city sees its districts roll up.
   */
  async summary(auth: AuthContext, id: number, orgId: number | undefined): Promise<FormSummary> {
    const collection = await this.service.visibleCollection(this.db, auth, id);
    const content = await this.service.content(this.db, collection.template_version_id);
    const layout = layoutOf(content);
    const narrow = await narrowing(this.db, auth, orgId);
    if (narrow.column === 'school_id' && !inScope(auth, narrow.unit.path)) throw notFound();
    const numberColumns = summaryNumberColumns(content, layout);
    const aggregates = await this.countyAggregates(collection, content, auth, narrow);
    const names = await this.names([...new Set(aggregates.flatMap((a) => [a.countyId, a.cityId]))]);
    const keys = totalKeys(content);
    const rolled = this.rollUp(aggregates, names, emptyDto(keys));
    const needed = [
      ...new Set([
        'policeStation',
        'hazardsFound',
        'hazardsRectified',
        ...layout.columns.flatMap((c) => (c.field ? [c.field] : [])),
      ]),
    ];
    // Only the fields the summary shows, each read once per row, not whole answer documents.
    const { rows } = await sql<{ county_id: number; school_name: string; answers: Record<string, unknown> }>`
      SELECT form_submission.county_id, school.name AS school_name,
             jsonb_build_object(${sql.join(needed.map((key) => sql`${key}::text, ${column(key)}`))}) AS answers
        FROM form_submission
        JOIN org_unit AS school ON school.id = form_submission.school_id
        ${answerColumns(needed)}
       WHERE form_submission.collection_id = ${collection.id}
         AND ${sql.ref(`form_submission.${narrow.column}`)} = ${narrow.id}
         AND form_submission.org_path LIKE ${scopePrefix(auth)}
         AND ${HANDED}
       ORDER BY form_submission.county_id, school.name, form_submission.id`.execute(this.db);
    const rowsByCounty = new Map<number, SummaryCell[][]>();
    for (const row of rows) {
      const list = rowsByCounty.get(row.county_id) ?? [];
      list.push(
        summaryRow(
          content,
          layout,
          { countyName: names.get(row.county_id) ?? '', schoolName: row.school_name },
          (row.answers ?? {}) as never,
        ),
      );
      rowsByCounty.set(row.county_id, list);
    }
    const counties: SummaryGroup[] = rolled.byCounty.map((county) => {
      const countyRows = rowsByCounty.get(county.orgId) ?? [];
      return {
        orgId: county.orgId,
        orgName: county.orgName,
        schools: county.schools,
        submitted: county.submitted,
        rows: countyRows,
        totals: summaryTotals(numberColumns, countyRows),
      };
    });
    const sumTotals = (groups: { totals: (number | null)[] }[]) =>
      numberColumns.map((isNumber, index) =>
        isNumber ? groups.reduce((sum, group) => sum + (group.totals[index] ?? 0), 0) : null,
      );
    const cities = rolled.byCity.map((city) => {
      const own = counties.filter(
        (county) => aggregates.find((a) => a.countyId === county.orgId)?.cityId === city.orgId,
      );
      return {
        orgId: city.orgId,
        orgName: city.orgName,
        schools: city.schools,
        submitted: city.submitted,
        totals: sumTotals(own),
      };
    });
    return {
      collectionId: collection.id,
      title: layout.title,
      orgId: narrow.unit.id,
      orgName: narrow.unit.name,
      columns: layout.columns.map((column, index) => ({ label: column.label, number: numberColumns[index]! })),
      counties,
      cities,
      overall: {
        schools: counties.reduce((sum, county) => sum + county.schools, 0),
        submitted: counties.reduce((sum, county) => sum + county.submitted, 0),
        totals: sumTotals(counties),
      },
      fieldTotals: rolled.overall,
    };
  }
}

/** The template's summary layout, or a generic one (区域, 学校名称 and every number field). */
export function layoutOf(content: FormContent): SummaryLayout {
  if (content.summary) return content.summary;
  return {
    title: `${content.title}汇总表`,
    columns: [
      { label: '区域', source: 'county' },
      { label: '学校名称', source: 'school' },
      ...fieldsOf(content)
        .filter((field) => field.type === 'number' || field.type === 'yesno')
        .slice(0, 18)
        .map((field) => ({ label: field.label, source: 'field' as const, field: field.key })),
    ],
  };
}
