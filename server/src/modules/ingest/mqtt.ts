import { parseDeviceTopic } from '@safe-campus/domain';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { IngestPipeline } from './pipeline.js';

export interface MqttOptions {
  url: string;
  /** Stable per instance: the broker keeps the session (subscriptions, unacknowledged QoS 1 messages). */
  clientId: string;
  /** Connections per instance; the shared subscription spreads messages across them (and across instances). */
  consumers: number;
  /** MQTT 5 shared-subscription group; '' for a plain subscription (one instance, one consumer). */
  shareGroup: string;
  /** Seconds the broker keeps a session while the server is away. */
  sessionExpirySeconds?: number;
  log: {
    info: (object: unknown, message?: string) => void;
    warn: (object: unknown, message?: string) => void;
    error: (object: unknown, message?: string) => void;
  };
}

export const DEVICE_TOPICS = ['safe-campus/+/+/alarm', 'safe-campus/+/+/status'];

/**
 * MQTT ingestion. Each consumer is a persistent session (clean: false, session expiry) with a stable
 * client id, subscribed at QoS 1 through a shared subscription. A message is acknowledged (PUBACK) only
 * after its effect committed, so a message the server never finished is delivered again after a crash or a
 * reconnect; the event id makes the second delivery harmless. Reconnects by itself and resubscribes.
 */
export class MqttIngest {
  private clients: MqttClient[] = [];
  private stopping = false;
  readonly stats = { received: 0, connects: 0 };

  constructor(
    private readonly pipeline: IngestPipeline,
    private readonly options: MqttOptions,
  ) {}

  get connected(): boolean {
    return this.clients.length > 0 && this.clients.every((client) => client.connected);
  }

  /** Resolves when every consumer has connected and subscribed once (or after `timeoutMs`, still retrying). */
  async start(timeoutMs = 10_000): Promise<void> {
    this.stopping = false;
    const count = this.options.shareGroup ? Math.max(1, this.options.consumers) : 1;
    const topics = DEVICE_TOPICS.map((topic) =>
      this.options.shareGroup ? `$share/${this.options.shareGroup}/${topic}` : topic,
    );
    const ready: Promise<void>[] = [];
    for (let index = 0; index < count; index++) {
      const client = mqtt.connect(this.options.url, {
        clientId: `${this.options.clientId}-${index}`,
        clean: false,
        protocolVersion: 5,
        properties: { sessionExpiryInterval: this.options.sessionExpirySeconds ?? 7 * 24 * 3600 },
        reconnectPeriod: 1000,
        connectTimeout: 5000,
        keepalive: 30,
        // Unacknowledged messages we publish: none; we only receive.
        resubscribe: true,
      });
      client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
        this.handle(packet).then(
          () => callback(),
          // Only when stopping: the message stays unacknowledged and the broker delivers it again later.
          () => undefined,
        );
      };
      ready.push(
        new Promise<void>((resolve) => {
          let first = true;
          client.on('connect', () => {
            this.stats.connects++;
            // Subscribing again is harmless and covers a broker that lost its sessions (restarted without persistence).
            client.subscribe(topics, { qos: 1 }, (error) => {
              if (error) this.options.log.error({ err: error }, 'mqtt subscribe failed');
              else if (first) {
                first = false;
                this.options.log.info({ clientId: `${this.options.clientId}-${index}` }, 'mqtt subscribed');
                resolve();
              }
            });
          });
        }),
      );
      client.on('error', (error) => this.options.log.warn({ err: error.message }, 'mqtt error'));
      client.on('offline', () => {
        if (!this.stopping) this.options.log.warn({ url: this.options.url }, 'mqtt broker unreachable; retrying');
      });
      this.clients.push(client);
    }
    await Promise.race([Promise.all(ready), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.clients.map((client) => client.endAsync(false).catch(() => undefined)));
    this.clients = [];
  }

  /**
   * One message: topic → codes; JSON payload with the device's `token`; then the pipeline. Refused messages
   * are acknowledged (dropped and counted): redelivering them would not make them valid. A database failure
   * is retried until it succeeds or the server stops, holding the acknowledgement.
   */
  private async handle(packet: IPublishPacket): Promise<void> {
    this.stats.received++;
    const topic = parseDeviceTopic(packet.topic);
    if (!topic) return;
    let body: unknown;
    try {
      body = JSON.parse(packet.payload.toString('utf8'));
    } catch {
      body = undefined;
    }
    const record =
      body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
    const token = typeof record?.token === 'string' ? record.token : undefined;
    // Not a JSON object: nothing to authenticate with; counted as malformed against the topic's codes.
    if (!record) {
      this.pipeline.reject('malformed', topic.schoolCode, topic.deviceCode);
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const auth = await this.pipeline.authenticate({
          via: 'mqtt',
          schoolCode: topic.schoolCode,
          deviceCode: topic.deviceCode,
          token,
        });
        if ('reason' in auth) return;
        const { token: _token, ...payload } = record;
        await this.pipeline.accept(auth.device, payload, 'mqtt');
        return;
      } catch (error) {
        if (this.stopping) throw error;
        if (attempt % 10 === 0) this.options.log.error({ err: error }, 'mqtt message not processed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** Math.min(attempt, 5))));
      }
    }
  }
}
