import type { Query } from '../api/client';
import { api } from '../api/client';
import type { Page } from '../api/types';

interface TableParams {
  current?: number;
  pageSize?: number;
  [key: string]: unknown;
}

/**
 * Adapts the API's cursor pages to ProTable's page numbers: the cursor of each page reached so
 * far is remembered, and the total is reported as "one more than we have" while a next page exists.
 */
export function cursorRequest<T>(
  path: string,
  toQuery: (filters: Record<string, unknown>) => Query = (filters) => filters as Query,
) {
  let lastKey = '';
  let cursors: (string | undefined)[] = [undefined];
  return async (params: TableParams) => {
    const { current = 1, pageSize = 20, ...filters } = params;
    const query = toQuery(filters);
    const key = JSON.stringify([query, pageSize]);
    if (key !== lastKey) {
      lastKey = key;
      cursors = [undefined];
    }
    const page = Math.min(current, cursors.length);
    const result = await api.get<Page<T>>(path, { ...query, limit: pageSize, cursor: cursors[page - 1] });
    if (result.nextCursor) cursors[page] = result.nextCursor;
    const total = (page - 1) * pageSize + result.items.length + (result.nextCursor ? 1 : 0);
    return { data: result.items, success: true, total };
  };
}
