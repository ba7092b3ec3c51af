/** Device API shapes, inferred from the zod schemas the server validates with (types only). */
import type {
  device,
  deviceCoverage,
  deviceHealth,
  deviceImportReport,
  deviceWithToken,
  healthFigures,
} from '@safe-campus/domain';
import type { z } from 'zod';

export type Device = z.infer<typeof device>;
export type DeviceWithToken = z.infer<typeof deviceWithToken>;
export type DeviceCoverage = z.infer<typeof deviceCoverage>;
export type DeviceHealth = z.infer<typeof deviceHealth>;
export type HealthFigures = z.infer<typeof healthFigures>;
export type DeviceImportReport = z.infer<typeof deviceImportReport>;
export type { DetectorZone, DeviceKind, DeviceStatus } from '@safe-campus/domain';

/** The device-side address of one device: MQTT topics and the ready command lines of docs/devices.md. */
export function connectionLines(schoolCode: string, deviceCode: string, token: string) {
  const topic = `safe-campus/${schoolCode}/${deviceCode}`;
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const heartbeat = `{"v":1,"eventId":"hb-${Date.now()}","type":"heartbeat","at":"${at}","token":"${token}"}`;
  return {
    alarmTopic: `${topic}/alarm`,
    statusTopic: `${topic}/status`,
    mosquitto: `mosquitto_pub -h 127.0.0.1 -p 1883 -q 1 -t '${topic}/status' -m '${heartbeat}'`,
    curl: [
      `curl -sS ${window.location.origin}/api/v1/ingest/events`,
      `-H 'content-type: application/json'`,
      `-H 'x-device-code: ${deviceCode}' -H 'x-school-code: ${schoolCode}'`,
      `-H 'authorization: Bearer ${token}'`,
      `-d '{"v":1,"eventId":"hb-${Date.now()}","type":"heartbeat","at":"${at}"}'`,
    ].join(' \\\n  '),
  };
}

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}
