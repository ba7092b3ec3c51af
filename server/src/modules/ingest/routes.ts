import { deviceEventPayload, type IngestRejection, type IngestResult, ingestResult } from '@safe-campus/domain';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendProblem } from '../../platform/errors.js';
import { MqttIngest } from './mqtt.js';
import { IngestPipeline, pipelineOf, registerPipeline } from './pipeline.js';

const tags = ['ingest'];
/** A gateway may send up to this many events in one request. */
export const INGEST_BATCH_MAX = 100;

const mqttOf = new WeakMap<FastifyInstance, MqttIngest>();

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function refuse(request: FastifyRequest, reply: FastifyReply, reason: IngestRejection): FastifyReply {
  if (reason === 'malformed') return sendProblem(request, reply, 400, 'ingest_malformed', {}, { reason });
  if (reason === 'rate_limited') return sendProblem(request, reply, 429, 'ingest_rate_limited', {}, { reason });
  return sendProblem(request, reply, 401, 'ingest_unauthenticated', {}, { reason });
}

export async function ingestModule(app: FastifyInstance): Promise<void> {
  const { db, config } = app.platform;
  const pipeline = new IngestPipeline(db, {
    ratePerSecond: config.deviceRatePerSecond,
    burst: config.deviceRateBurst,
    flushMs: config.ingestFlushMs,
    batchMax: config.ingestBatchMax,
    batchWaitMs: config.ingestBatchWaitMs,
    batchConcurrency: config.ingestBatchConcurrency,
    log: app.log,
  });
  registerPipeline(app.platform, pipeline);
  const routes = app.withTypeProvider<ZodTypeProvider>();

  app.addHook('onReady', async () => pipeline.start());
  app.addHook('onClose', async () => {
    await mqttOf.get(app)?.stop();
    await pipeline.stop();
  });

  routes.post(
    '/ingest/events',
    {
      config: { access: 'public' },
      // Validation errors reach the handler: a malformed event from a known device is counted, not only refused.
      attachValidation: true,
      schema: {
        tags,
        summary: '设备事件上报（HTTP，供无 MQTT 的网关使用）',
        description:
          '请求头 `x-device-code`、`x-school-code`、`authorization: Bearer <设备令牌>`；请求体为 payload v1 事件，' +
          `或最多 ${INGEST_BATCH_MAX} 个事件的数组。重复的 eventId 被忽略（duplicate: true）。` +
          '认证失败 401、格式错误 400、限流 429，均为 problem+json 且计入拒收统计。详见 docs/devices.md。',
        body: z.union([deviceEventPayload, z.array(deviceEventPayload).min(1).max(INGEST_BATCH_MAX)]),
        response: { 200: ingestResult },
      },
    },
    async (request, reply) => {
      const authorization = header(request, 'authorization');
      const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
      const auth = await pipeline.authenticate({
        via: 'http',
        schoolCode: header(request, 'x-school-code'),
        deviceCode: header(request, 'x-device-code'),
        token,
      });
      if ('reason' in auth) return refuse(request, reply, auth.reason);
      const body: unknown = request.body;
      const events = Array.isArray(body) ? body : [body];
      if (events.length === 0 || events.length > INGEST_BATCH_MAX || request.validationError) {
        pipeline.reject('malformed', auth.device.schoolCode, auth.device.code);
        return refuse(request, reply, 'malformed');
      }
      // All the request's events join the same group commit; the answer waits until they committed.
      const outcomes = await Promise.all(events.map((event) => pipeline.accept(auth.device, event, 'http')));
      const results: IngestResult['results'] = [];
      for (const outcome of outcomes) {
        if (!outcome.ok) return refuse(request, reply, outcome.reason);
        results.push({
          eventId: outcome.eventId,
          type: outcome.type,
          duplicate: outcome.duplicate,
          alarmCode: outcome.alarmCode,
        });
      }
      return { results };
    },
  );
}

/**
 * Connects to the broker when `MQTT_URL` is set (main.ts calls it after listen; tests call it themselves).
 * Without MQTT_URL nothing starts and HTTP ingestion works alone.
 */
export async function startMqtt(
  app: FastifyInstance,
  overrides: { url?: string; clientId?: string; shareGroup?: string; sessionExpirySeconds?: number } = {},
): Promise<MqttIngest | null> {
  const { config } = app.platform;
  const url = overrides.url ?? config.mqttUrl;
  const pipeline = pipelineOf(app.platform);
  if (!url || !pipeline || mqttOf.has(app)) return mqttOf.get(app) ?? null;
  const ingest = new MqttIngest(pipeline, {
    url,
    clientId: overrides.clientId ?? config.mqttClientId,
    consumers: config.mqttConsumers,
    shareGroup: overrides.shareGroup ?? config.mqttShareGroup,
    sessionExpirySeconds: overrides.sessionExpirySeconds ?? config.mqttSessionExpirySeconds,
    log: app.log,
  });
  mqttOf.set(app, ingest);
  await ingest.start();
  return ingest;
}
