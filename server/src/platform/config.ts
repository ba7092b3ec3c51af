import os from 'node:os';
import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; when unset the embedded PGlite in `dataDir` is used. */
  databaseUrl: string | null;
  /** PostgreSQL schema to use (tests give each file its own). */
  databaseSchema: string | null;
  dataDir: string;
  /** Load the demo province on first start with an empty database. */
  demo: boolean;
  /** Time zone of business days and deadlines. */
  businessTimeZone: string;
  sessionIdleMinutes: number;
  lockoutMinutes: number;
  /** Login attempts per minute per IP + user name. */
  loginRateLimit: number;
  /** Requests per minute per IP on the API (0 switches it off). */
  apiRateLimit: number;
  fileMaxBytes: number;
  /** 32-byte key (hex or base64) for encrypted fields; generated into `dataDir` when unset. */
  secretKey: string | null;
  sweepIntervalMs: number;
  /** Secure cookies: `auto` follows the request's protocol (behind a TLS proxy set trustProxy). */
  cookieSecure: 'auto' | boolean;
  trustProxy: boolean;
  /** Require TOTP enrolment for the three administrator roles (demo accounts exempt). */
  adminTotpRequired: boolean;
  /** Hours before a hazard's deadline when its responsible person is reminded. */
  hazardReminderHours: number;
  /** Hours past a hazard's deadline after which it escalates one bureau level up (again after each such period). */
  hazardEscalationGraceHours: number;
  /** Guards older than this (by year of birth) at a report period's end count as over-age (超龄保安员). */
  guardMaxAge: number;
  /** Alarms: seconds to acknowledge before escalation; seconds from dispatch to on scene; escalation check period. */
  alarmAckSeconds: number;
  alarmArriveSeconds: number;
  alarmEscalationCheckMs: number;
  mqttUrl: string | null;
  // Devices and ingestion (modules/devices, modules/ingest).
  /** Seconds without a heartbeat after which the sweeper marks an online device offline. */
  deviceOfflineAfterSeconds: number;
  /** Per-device token bucket: sustained events per second and burst size; beyond it events are dropped and counted. */
  deviceRatePerSecond: number;
  deviceRateBurst: number;
  /** How often coalesced heartbeats (last_seen_at) and rejection counters are written. */
  ingestFlushMs: number;
  /** Group commit of device events: at most this many per transaction, gathered for at most this many ms. */
  ingestBatchMax: number;
  ingestBatchWaitMs: number;
  /** Group-commit transactions an instance runs at once. */
  ingestBatchConcurrency: number;
  /** MQTT client id prefix (stable per instance, for the persistent session); consumers per instance. */
  mqttClientId: string;
  mqttConsumers: number;
  /** MQTT 5 shared-subscription group ('' subscribes without one: a single instance only). */
  mqttShareGroup: string;
  /** Seconds the broker keeps the server's sessions (and queues QoS 1 messages) while it is away. */
  mqttSessionExpirySeconds: number;
  logLevel: string;
  /** Serve the built web app from this folder when it exists. */
  webDist: string;
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`Not a number: ${value}`);
  return parsed;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(value.toLowerCase());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const root = path.resolve(import.meta.dirname, '../../..');
  const cookieSecure = env.COOKIE_SECURE;
  return {
    port: int(env.PORT, 3000),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || null,
    databaseSchema: env.DATABASE_SCHEMA || null,
    dataDir: path.resolve(env.DATA_DIR ?? path.join(root, 'data')),
    demo: bool(env.DEMO, true),
    businessTimeZone: env.TZ_BUSINESS ?? 'Asia/Shanghai',
    sessionIdleMinutes: int(env.SESSION_IDLE_MINUTES, 30),
    lockoutMinutes: int(env.LOCKOUT_MINUTES, 15),
    loginRateLimit: int(env.LOGIN_RATE_LIMIT, 20),
    apiRateLimit: int(env.API_RATE_LIMIT, 0),
    fileMaxBytes: int(env.FILE_MAX_BYTES, 20 * 1024 * 1024),
    secretKey: env.SECRET_KEY || null,
    sweepIntervalMs: int(env.SWEEP_INTERVAL_MS, 60_000),
    cookieSecure: cookieSecure === undefined || cookieSecure === 'auto' ? 'auto' : bool(cookieSecure, false),
    trustProxy: bool(env.TRUST_PROXY, false),
    adminTotpRequired: bool(env.ADMIN_TOTP_REQUIRED, true),
    hazardReminderHours: int(env.HAZARD_REMINDER_HOURS, 24),
    hazardEscalationGraceHours: int(env.HAZARD_ESCALATION_GRACE_HOURS, 72),
    guardMaxAge: int(env.GUARD_MAX_AGE, 60),
    alarmAckSeconds: int(env.ALARM_ACK_SECONDS, 60),
    alarmArriveSeconds: int(env.ALARM_ARRIVE_SECONDS, 600),
    alarmEscalationCheckMs: int(env.ALARM_ESCALATION_CHECK_MS, 3000),
    mqttUrl: env.MQTT_URL || null,
    deviceOfflineAfterSeconds: int(env.DEVICE_OFFLINE_AFTER_SECONDS, 300),
    deviceRatePerSecond: int(env.DEVICE_RATE_PER_SECOND, 5),
    deviceRateBurst: int(env.DEVICE_RATE_BURST, 30),
    ingestFlushMs: int(env.INGEST_FLUSH_MS, 2000),
    ingestBatchMax: int(env.INGEST_BATCH_MAX, 200),
    ingestBatchWaitMs: int(env.INGEST_BATCH_WAIT_MS, 10),
    ingestBatchConcurrency: Math.max(1, int(env.INGEST_BATCH_CONCURRENCY, 3)),
    mqttClientId: env.MQTT_CLIENT_ID || `safe-campus-${os.hostname()}-${env.PORT ?? 3000}`,
    mqttConsumers: int(env.MQTT_CONSUMERS, 4),
    mqttShareGroup: env.MQTT_SHARE_GROUP ?? 'safe-campus',
    mqttSessionExpirySeconds: int(env.MQTT_SESSION_EXPIRY_SECONDS, 86_400),
    logLevel: env.LOG_LEVEL ?? 'info',
    webDist: path.resolve(env.WEB_DIST ?? path.join(root, 'web/dist')),
    ...overrides,
  };
}
