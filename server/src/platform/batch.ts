/**
 * Group commit for a busy statement: the calls made in one turn of the event loop (requests that arrived
 * together), and those made while earlier batches are being written, are gathered and written together by
 * `write` (one result per item, in order). On a quiet server each call is written at once and alone; under load,
 * a statement and its commit serve many requests, which is what lets the database keep up (a hazard report's
 * statement costs about as much for eight reports as for one).
 *
 * When a batch's statement fails and rolls back (bad data, a constraint, a deadlock: see `isStatementError`), its
 * items are written again one by one, so that one bad item fails alone. Any other failure (a lost connection, a
 * server shutting down: the outcome is unknown) fails every item of the batch, as it would have failed each call.
 */
export class Batcher<Item, Result> {
  private readonly waiting: { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly write: (items: Item[]) => Promise<Result[]>,
    private readonly options: { maxBatch: number; maxInFlight: number },
  ) {}

  private scheduled = false;

  submit(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      // Calls made in the same turn of the event loop (requests that arrived together) start one batch.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.next();
        });
      }
    });
  }

  private next(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.next();
      });
    }
  }

  private async run(batch: typeof this.waiting): Promise<void> {
    try {
      const results = await this.write(batch.map((entry) => entry.item));
      for (const [index, entry] of batch.entries()) entry.resolve(results[index]!);
    } catch (error) {
      if (batch.length === 1 || !isStatementError(error)) {
        for (const entry of batch) entry.reject(error);
        return;
      }
      for (const entry of batch) {
        await this.write([entry.item]).then(
          ([result]) => entry.resolve(result!),
          (single: unknown) => entry.reject(single),
        );
      }
    }
  }
}

/**
 * An error PostgreSQL raised for the statement itself, so it rolled back: bad data (22), a violated constraint (23),
 * a serialization failure or deadlock (40), a query or permission error (42, 44), a trigger's RAISE (P0). Not a
 * connection lost or a server shutting down (08, 57), where the outcome is unknown.
 */
function isStatementError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|40|42|44|P0)[0-9A-Z]{3}$/.test(code);
}
