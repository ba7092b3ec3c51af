import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.js';
import { chainAudit } from './audit.js';
import { IDEMPOTENCY_RETENTION_DAYS } from './idempotency.js';

const SWEEPER_LOCK = 727_003;
const JOBS_SWEEP = 'jobs.run';

export interface SweepContext {
  db: Kysely<DB>;
  now: Date;
}

export type Sweep = (context: SweepContext) => Promise<void>;
export type JobHandler = (payload: unknown, context: SweepContext) => Promise<void>;

export interface EnqueueInput {
  kind: string;
  payload?: Record<string, unknown>;
  runAt?: Date;
  /** A second job with the same key is ignored (idempotent scheduling). */
  dedupeKey?: string;
  maxAttempts?: number;
}

export async function enqueueJob(executor: Kysely<DB>, input: EnqueueInput): Promise<void> {
  await executor
    .insertInto('job')
    .values({
      kind: input.kind,
      payload: JSON.stringify(input.payload ?? {}),
      run_at: input.runAt ?? new Date(),
      dedupe_key: input.dedupeKey ?? null,
      max_attempts: input.maxAttempts ?? 5,
    })
    .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
    .execute();
}

/**
 * For a job handler that writes in a transaction of its own: marks the job (found by its dedupe key) as sent in that
 * transaction and says whether this run is the first to do so. The runner records a job done only after its handler
 * returns, so a run that committed but was not recorded would otherwise be done twice.
 */
export async function firstRunOfJob(trx: Kysely<DB>, dedupeKey: string): Promise<boolean> {
  const first = await trx
    .updateTable('job')
    .set({ payload: sql`payload || '{"sent":true}'::jsonb` })
    .where('dedupe_key', '=', dedupeKey)
    .where(sql<boolean>`payload->>'sent' IS NULL`)
    .returning('id')
    .executeTakeFirst();
  return first !== undefined;
}

/**
 * One scheduler per instance; each slot (one interval) runs each sweep on one instance only:
 * the advisory lock serialises the claim and the sweep_run row makes the claim idempotent.
 */
export class Sweeper {
  private readonly sweeps = new Map<string, Sweep>();
  private readonly handlers = new Map<string, JobHandler>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly intervalMs: number,
    private readonly log: { error: (object: unknown, message: string) => void },
  ) {
    this.register(JOBS_SWEEP, (context) => this.runDueJobs(context));
    // Rows an instance wrote just before it stopped, before its own chainer ran.
    this.register('audit.chain', async ({ db }) => {
      await chainAudit(db);
    });
    this.register('realtime.prune', async ({ db, now }) => {
      await db
        .deleteFrom('realtime_event')
        .where('at', '<', new Date(now.getTime() - 24 * 3600_000))
        .execute();
    });
    this.register('sessions.prune', async ({ db, now }) => {
      await db
        .deleteFrom('session')
        .where('last_seen_at', '<', new Date(now.getTime() - 7 * 24 * 3600_000))
        .execute();
    });
    this.register('idempotency_keys.prune', async ({ db, now }) => {
      await db
        .deleteFrom('idempotency_key')
        .where('created_at', '<', new Date(now.getTime() - IDEMPOTENCY_RETENTION_DAYS * 24 * 3600_000))
        .execute();
    });
    this.register('jobs.prune', async ({ db, now }) => {
      await db
        .deleteFrom('job')
        .where('status', 'in', ['done', 'failed'])
        .where('finished_at', '<', new Date(now.getTime() - 30 * 24 * 3600_000))
        .execute();
    });
    this.register('sweep_runs.prune', async ({ db, now }) => {
      await db
        .deleteFrom('sweep_run')
        .where('slot', '<', new Date(now.getTime() - 7 * 24 * 3600_000))
        .execute();
    });
  }

  register(name: string, sweep: Sweep): void {
    if (this.sweeps.has(name)) throw new Error(`Sweep ${name} registered twice`);
    this.sweeps.set(name, sweep);
  }

  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs every sweep whose slot this instance claims. Tests call it with a chosen `now`. */
  tick(now = new Date()): Promise<void> {
    if (this.running) return this.running;
    this.running = this.runAll(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runAll(now: Date): Promise<void> {
    const slot = new Date(Math.floor(now.getTime() / this.intervalMs) * this.intervalMs);
    // Jobs last: the jobs a sweep queues (reminders to many schools) run in the same tick, not one interval later.
    const ordered = [...this.sweeps].sort(([a], [b]) => Number(a === JOBS_SWEEP) - Number(b === JOBS_SWEEP));
    for (const [name, sweep] of ordered) {
      if (this.stopped) return;
      try {
        if (!(await this.claim(name, slot))) continue;
        let error: string | null = null;
        try {
          await sweep({ db: this.db, now });
        } catch (caught) {
          error = caught instanceof Error ? caught.message : String(caught);
          this.log.error({ err: caught, sweep: name }, 'sweep failed');
        }
        await this.db
          .updateTable('sweep_run')
          .set({ finished_at: new Date(), error })
          .where('name', '=', name)
          .where('slot', '=', slot)
          .execute();
      } catch (caught) {
        // The database may be away; the next tick tries again.
        this.log.error({ err: caught, sweep: name }, 'sweep claim failed');
      }
    }
  }

  private async claim(name: string, slot: Date): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const lock = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${SWEEPER_LOCK}) AS locked`.execute(
        trx,
      );
      if (!lock.rows[0]?.locked) return false;
      const inserted = await trx
        .insertInto('sweep_run')
        .values({ name, slot })
        .onConflict((conflict) => conflict.columns(['name', 'slot']).doNothing())
        .returning('name')
        .executeTakeFirst();
      return inserted !== undefined;
    });
  }

  /** Claims due jobs with SKIP LOCKED so that several instances share the work. */
  private async runDueJobs(context: SweepContext): Promise<void> {
    for (let round = 0; round < 20; round++) {
      const jobs = await this.db.transaction().execute(async (trx) => {
        // Queued and due, or left running by an instance that stopped before finishing it (its lock ran out).
        const due = await trx
          .selectFrom('job')
          .select(['id', 'kind', 'payload', 'attempts', 'max_attempts'])
          .where((eb) =>
            eb.or([
              eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', context.now)]),
              eb.and([eb('status', '=', 'running'), eb('locked_until', '<', context.now)]),
            ]),
          )
          .orderBy('run_at')
          .limit(50)
          .forUpdate()
          .skipLocked()
          .execute();
        if (due.length > 0) {
          await trx
            .updateTable('job')
            .set({ status: 'running', locked_until: new Date(context.now.getTime() + 5 * 60_000) })
            .where(
              'id',
              'in',
              due.map((job) => job.id),
            )
            .execute();
        }
        return due;
      });
      if (jobs.length === 0) return;
      for (const job of jobs) {
        const handler = this.handlers.get(job.kind);
        try {
          if (!handler) throw new Error(`No handler for job kind ${job.kind}`);
          await handler(job.payload, context);
          await this.db
            .updateTable('job')
            .set({ status: 'done', finished_at: new Date(), attempts: job.attempts + 1 })
            .where('id', '=', job.id)
            .execute();
        } catch (caught) {
          const attempts = job.attempts + 1;
          const failed = attempts >= job.max_attempts;
          await this.db
            .updateTable('job')
            .set({
              status: failed ? 'failed' : 'queued',
              attempts,
              last_error: caught instanceof Error ? caught.message : String(caught),
              run_at: new Date(context.now.getTime() + 2 ** attempts * 60_000),
              finished_at: failed ? new Date() : null,
            })
            .where('id', '=', job.id)
            .execute();
        }
      }
    }
  }
}
