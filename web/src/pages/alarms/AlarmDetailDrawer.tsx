import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Descriptions, Drawer, Empty, Spin, Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { AlarmActions } from './AlarmActions';
import { type AlarmDetail, alarmApi, clock } from './alarmApi';
import { AlarmKindTag, AlarmStateTag } from './alarmTags';

const time = (value: string | null) => (value ? dayjs(value).format('YYYY-MM-DD HH:mm:ss') : '—');
const span = (seconds: number | null) => (seconds === null ? '—' : clock(seconds));

/** One alarm: what, where, who, the response times against the SLA, the timeline and the buttons. */
export function AlarmDetailDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const detail = useQuery({ queryKey: ['alarm', id], queryFn: () => alarmApi.detail(id!), enabled: id !== null });
  const alarm = detail.data;
  const done = (next: AlarmDetail) => {
    queryClient.setQueryData(['alarm', id], next);
    void queryClient.invalidateQueries({ queryKey: ['alarms'] });
  };
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={560}
      title={alarm ? `${alarm.code} · ${alarm.title}` : t('alarms.detail')}
      data-testid="alarm-drawer"
      extra={alarm && <AlarmStateTag state={alarm.state} />}
    >
      {detail.isLoading && <Spin />}
      {detail.isError && <Empty description={t('common.loadFailed')} />}
      {alarm && (
        <>
          <AlarmActions alarm={alarm} commands={alarm.commands} onDone={done} />
          <Descriptions column={1} size="small" bordered style={{ marginTop: 16 }}>
            <Descriptions.Item label={t('alarms.fields.kind')}>
              <AlarmKindTag kind={alarm.kind} /> {t(`alarms.sources.${alarm.source}`)}
            </Descriptions.Item>
            <Descriptions.Item label={t('alarms.fields.school')}>{alarm.schoolName}</Descriptions.Item>
            <Descriptions.Item label={t('alarms.fields.location')}>
              {[alarm.placeName, alarm.locationText, alarm.deviceName].filter(Boolean).join(' · ') || '—'}
              {alarm.latitude !== null && (
                <Typography.Text type="secondary">
                  {' '}
                  ({alarm.latitude.toFixed(5)}, {alarm.longitude?.toFixed(5)})
                </Typography.Text>
              )}
            </Descriptions.Item>
            {alarm.reporterName && (
              <Descriptions.Item label={t('alarms.fields.reporter')}>{alarm.reporterName}</Descriptions.Item>
            )}
            {alarm.description && (
              <Descriptions.Item label={t('alarms.fields.description')}>{alarm.description}</Descriptions.Item>
            )}
            <Descriptions.Item label={t('alarms.fields.raisedAt')}>{time(alarm.raisedAt)}</Descriptions.Item>
            {alarm.dispatchedToName && (
              <Descriptions.Item label={t('alarms.fields.assignee')}>
                {alarm.dispatchedToName}
                {alarm.dispatchTeam ? `（${alarm.dispatchTeam}）` : ''}
              </Descriptions.Item>
            )}
            {alarm.escalatedAt && (
              <Descriptions.Item label={t('alarms.fields.escalatedAt')}>
                <Tag color="red">{time(alarm.escalatedAt)}</Tag>
              </Descriptions.Item>
            )}
            {alarm.state === 'resolved' && (
              <Descriptions.Item label={t('alarms.fields.outcome')}>
                {alarm.outcome} {alarm.falseAlarm && <Tag>{t('alarms.fields.falseAlarm')}</Tag>}
                {alarm.notes && <div>{alarm.notes}</div>}
              </Descriptions.Item>
            )}
            {alarm.hazardId && (
              <Descriptions.Item label={t('alarms.fields.hazard')}>
                <Link to={`/hazards/${alarm.hazardId}`}>{t('alarms.viewHazard')}</Link>
              </Descriptions.Item>
            )}
            {alarm.incident && (
              <Descriptions.Item label={t('alarms.fields.incident')}>
                {t(`alarms.incidentKinds.${alarm.incident.kind}`)}：{alarm.incident.description}
              </Descriptions.Item>
            )}
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 20 }}>
            {t('alarms.sla.title')}
          </Typography.Title>
          <Descriptions column={2} size="small" data-testid="alarm-sla">
            <Descriptions.Item label={t('alarms.sla.acknowledge')}>
              <span style={{ color: alarm.sla.acknowledgeLate ? '#cf1322' : undefined }}>
                {span(alarm.sla.timeToAcknowledge)}
              </span>
              <Typography.Text type="secondary"> / {alarm.sla.acknowledgeSeconds}s</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('alarms.sla.dispatch')}>{span(alarm.sla.timeToDispatch)}</Descriptions.Item>
            <Descriptions.Item label={t('alarms.sla.arrive')}>
              <span style={{ color: alarm.sla.arriveLate ? '#cf1322' : undefined }}>
                {span(alarm.sla.timeToArrive)}
              </span>
              <Typography.Text type="secondary"> / {Math.round(alarm.sla.arriveSeconds / 60)}min</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('alarms.sla.resolve')}>{span(alarm.sla.timeToResolve)}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5}>{t('alarms.timeline')}</Typography.Title>
          <Timeline
            items={alarm.timeline.map((entry) => ({
              color: entry.action === 'escalate' ? 'red' : entry.action === 'resolve' ? 'green' : 'blue',
              children: (
                <div data-testid="alarm-timeline-entry">
                  <strong>{t(`alarms.timelineActions.${entry.action}`, { defaultValue: entry.action })}</strong>{' '}
                  <Typography.Text type="secondary">
                    {time(entry.at)} {entry.actorName ?? t('alarms.system')}
                  </Typography.Text>
                  {typeof entry.data?.assigneeName === 'string' && <div>→ {entry.data.assigneeName}</div>}
                  {entry.note && <div>{entry.note}</div>}
                </div>
              ),
            }))}
          />
        </>
      )}
    </Drawer>
  );
}
