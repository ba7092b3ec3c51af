/** A small fetch client: same-origin cookies, the CSRF header on writes, problem+json errors. */

export interface FieldProblem {
  path?: string;
  row?: number;
  column?: string | null;
  message: string;
}

/** An API failure carrying the server's stable code and its (Chinese by default) message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get errors(): FieldProblem[] {
    return Array.isArray(this.body.errors) ? (this.body.errors as FieldProblem[]) : [];
  }
}

type Listener<T> = (value: T) => void;

let csrfToken: string | null = null;
let language = 'zh-CN';
const unauthorizedListeners = new Set<Listener<ApiError>>();
const errorListeners = new Set<Listener<ApiError>>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setApiLanguage(value: string): void {
  language = value;
}

let networkErrorMessage = () => 'Network error';

/** The i18n layer supplies the text shown when the server cannot be reached. */
export function setNetworkErrorMessage(message: () => string): void {
  networkErrorMessage = message;
}

/** Called on 401 (session gone): the app sends the user back to the login page. */
export function onUnauthorized(listener: Listener<ApiError>): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Called for every failure the caller did not mark `quiet`: the shell shows the message. */
export function onApiError(listener: Listener<ApiError>): () => void {
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  query?: Query;
  body?: unknown;
  /** Do not show the error message globally (the caller shows it itself). */
  quiet?: boolean;
  signal?: AbortSignal;
  /** Sent as `Idempotency-Key`: a retried or double-clicked write is applied once and answers as the first did. */
  idempotencyKey?: string;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

const API_PREFIX = '/api/v1';

async function problemOf(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): fall back to the status text.
  }
  const code = typeof body.code === 'string' ? body.code : `http_${response.status}`;
  const message = typeof body.message === 'string' ? body.message : response.statusText || code;
  return new ApiError(response.status, code, message, body);
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': language };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(withQuery(`${API_PREFIX}${path}`, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (cause) {
    if ((cause as Error).name === 'AbortError') throw cause;
    const error = new ApiError(0, 'network_error', networkErrorMessage());
    if (!options.quiet) for (const listener of errorListeners) listener(error);
    throw error;
  }
  if (!response.ok) {
    const error = await problemOf(response);
    if (response.status === 401 && !path.startsWith('/auth/login')) {
      for (const listener of unauthorizedListeners) listener(error);
    } else if (!options.quiet) {
      for (const listener of errorListeners) listener(error);
    }
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) return (await response.json()) as T;
  return (await response.blob()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, options: Omit<RequestOptions, 'query' | 'method'> = {}) =>
    request<T>(path, { ...options, method: 'GET', query }),
  post: <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body' | 'method'> = {}) =>
    request<T>(path, { ...options, method: 'POST', body: body ?? {} }),
  patch: <T>(path: string, body: unknown, options: Omit<RequestOptions, 'body' | 'method'> = {}) =>
    request<T>(path, { ...options, method: 'PATCH', body }),
  delete: <T>(path: string, options: Omit<RequestOptions, 'method'> = {}) =>
    request<T>(path, { ...options, method: 'DELETE' }),
};

/** Downloads a file from the API (Excel exports, templates) with the session cookie. */
export async function download(path: string, query: Query | undefined, fallbackName: string): Promise<void> {
  const blob = await request<Blob>(path, { query });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fallbackName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
