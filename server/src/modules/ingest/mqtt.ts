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
 * QoS 1 messages a consumer works on at once (MQTT 5 Receive Maximum: the broker sends no more unacknowledged
 * ones). They are written together by the pipeline's group commit.
 */
export const MQTT_RECEIVE_MAXIMUM = 500;

/** A received QoS 1 message waiting for its PUBACK; acknowledged in the order received, after its write. */
interface PendingAck {
  messageId: number;
  done: boolean;
}

/** mqtt.js sends PUBACK when `handleMessage` calls back, and reads the next packet only then; we send it ourselves. */
type PubackSender = { _sendPacket(packet: { cmd: 'puback'; messageId: number; reasonCode: number }): void };

/** Passed to mqtt.js's callback: it reads the next packet and sends no PUBACK (we send it after the commit). */
const ACK_LATER = new Error('acknowledged after commit');

/**
 * MQTT ingestion. Each consumer is a persistent session (clean: false, session expiry) with a stable
 * client id, subscribed at QoS 1 through a shared subscription. A message is acknowledged (PUBACK) only
 * after its effect committed, so a message the server never finished is delivered again after a crash or a
 * reconnect; the event id makes the second delivery harmless. Reconnects by itself and resubscribes.
 *
 * A consumer does not wait for one message's commit before reading the next: up to `MQTT_RECEIVE_MAXIMUM`
 * are in the pipeline at once, so they share group-commit transactions. PUBACKs go out in the order the
 * messages arrived (MQTT 4.6), each once its own and every earlier message's write is done, and only on
 * the connection the message came in on: after a reconnect the broker redelivers what was not acknowledged.
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
        properties: {
          sessionExpiryInterval: this.options.sessionExpirySeconds ?? 7 * 24 * 3600,
          receiveMaximum: MQTT_RECEIVE_MAXIMUM,
        },
        reconnectPeriod: 1000,
        connectTimeout: 5000,
        keepalive: 30,
        // Unacknowledged messages we publish: none; we only receive.
        resubscribe: true,
      });
      let acks: PendingAck[] = [];
      const sendAcks = (queue: PendingAck[]) => {
        // A queue of an earlier connection: its messages come again; acknowledging them here could hit reused ids.
        if (queue !== acks || !client.connected) return;
        let count = 0;
        while (count < queue.length && queue[count]!.done) count++;
        for (const ack of queue.splice(0, count))
          (client as unknown as PubackSender)._sendPacket({ cmd: 'puback', messageId: ack.messageId, reasonCode: 0 });
      };
      client.on('connect', () => {
        acks = [];
      });
      client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
        if (packet.qos !== 1 || packet.messageId === undefined) {
          // QoS 0 has nothing to acknowledge (QoS 2 is not subscribed to): processed, next packet at once.
          this.handle(packet).catch(() => undefined);
          callback();
          return;
        }
        const ack: PendingAck = { messageId: packet.messageId, done: false };
        const queue = acks;
        queue.push(ack);
        this.handle(packet).then(
          () => {
            ack.done = true;
            sendAcks(queue);
          },
          // Only when stopping: the message stays unacknowledged and the broker delivers it again later.
          () => undefined,
        );
        callback(ACK_LATER);
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
