import { ArrowLeftOutlined } from '@ant-design/icons';
import {
  HAZARD_COMMANDS,
  type HazardCommand,
  type HazardDetail,
  type HazardGrade,
  type HazardState,
  type HazardTimelineEntry,
  type RiskLevel,
} from '@safe-campus/domain';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Result,
  Row,
  Skeleton,
  Space,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { ApiError, api } from '../../api/client';
import { Page } from '../../app/Page';
import { HazardActionModal } from './HazardActionModal';
import { HazardPhotos } from './HazardPhotos';
import { DaysLeft, GradeTag, OverdueTag, RiskTag, STATE_COLORS, StateTag, SupervisedTag } from './hazardTags';
import { PlanPoint } from './PlanPoint';
import { useHazardEvents } from './useHazardEvents';
import './hazards.css';

/** Primary buttons: the step the hazard waits for. */
const PRIMARY: HazardCommand[] = ['confirm', 'assign', 'rectify', 'verify'];
const DANGER: HazardCommand[] = ['reject', 'return'];

const dateTime = (value: string | null | undefined) => (value ? dayjs(value).format('YYYY-MM-DD HH:mm') : '—');

/** 隐患详情: the record, 五落实, supervision, before/after photos, the timeline and the caller's actions. */
export function HazardDetailPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [command, setCommand] = useState<HazardCommand | null>(null);
  const hazardId = Number(id);
  const key = ['hazard', hazardId];
  const detail = useQuery({
    queryKey: key,
    enabled: Number.isSafeInteger(hazardId) && hazardId > 0,
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    queryFn: () => api.get<HazardDetail>(`/hazards/${hazardId}`, undefined, { quiet: true }),
  });

  useHazardEvents((event) => {
    if (event.hazardId === null || event.hazardId === hazardId) void queryClient.invalidateQueries({ queryKey: key });
  });

  const back = (
    <Button
      key="back"
      icon={<ArrowLeftOutlined />}
      onClick={() => (window.history.length > 1 ? navigate(-1) : navigate('/hazards'))}
    >
      {t('hazards.back')}
    </Button>
  );

  if (detail.isError || !(hazardId > 0)) {
    const error = detail.error;
    const missing = !(hazardId > 0) || (error instanceof ApiError && (error.status === 404 || error.status === 403));
    return (
      <Page title={t('hazards.detail')} extra={[back]}>
        <Result
          status={missing ? '404' : 'error'}
          title={missing ? t('hazards.notFound') : t('common.loadFailed')}
          subTitle={missing ? t('hazards.notFoundHint') : error instanceof Error ? error.message : undefined}
          extra={
            !missing && (
              <Button type="primary" onClick={() => detail.refetch()}>
                {t('common.retry')}
              </Button>
            )
          }
        />
      </Page>
    );
  }
  const hazard = detail.data;
  if (!hazard) {
    return (
      <Page title={t('hazards.detail')} extra={[back]}>
        <Card>
          <Skeleton active paragraph={{ rows: 8 }} />
        </Card>
      </Page>
    );
  }

  const commands = HAZARD_COMMANDS.filter((item) => hazard.commands.includes(item));
  const assigned = hazard.responsibleUserName !== null || hazard.measures !== null;

  return (
    <Page
      title={
        <Space wrap size={8}>
          <span data-testid="hazard-code">{hazard.code}</span>
          <span>{hazard.title}</span>
        </Space>
      }
      extra={[
        back,
        ...commands.map((item) => (
          <Button
            key={item}
            type={PRIMARY.includes(item) ? 'primary' : 'default'}
            danger={DANGER.includes(item)}
            onClick={() => setCommand(item)}
            data-testid={`command-${item}`}
          >
            {t(`hazards.commands.${item}`)}
          </Button>
        )),
      ]}
    >
      <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="hazard-detail">
        <Card>
          <Space wrap size={[4, 8]} style={{ marginBottom: 16 }}>
            <StateTag state={hazard.state} />
            <GradeTag grade={hazard.grade} />
            <RiskTag level={hazard.riskLevel} />
            <OverdueTag overdue={hazard.overdue} />
            <SupervisedTag supervised={hazard.supervised} />
            {hazard.escalationLevel > 0 && (
              <Tag color="volcano">
                {t('hazards.escalated', { level: t(`hazards.escalationLevels.${hazard.escalationLevel}`) })}
              </Tag>
            )}
          </Space>
          {hazard.state === 'rejected' && hazard.rejectReason && (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 16 }}
              message={t('hazards.rejectedBecause', { reason: hazard.rejectReason })}
            />
          )}
          <Row gutter={[24, 16]}>
            <Col xs={24} lg={hazard.floorPlanFileId && hazard.planX !== null ? 14 : 24}>
              <Descriptions column={{ xs: 1, sm: 2 }} size="small">
                <Descriptions.Item label={t('hazards.category')}>
                  {t(`hazards.categories.${hazard.category}`)}
                </Descriptions.Item>
                <Descriptions.Item label={t('hazards.source')}>
                  {t(`hazards.sources.${hazard.source}`)}
                </Descriptions.Item>
                <Descriptions.Item label={t('hazards.school')}>
                  {hazard.departmentName ? `${hazard.schoolName} / ${hazard.departmentName}` : hazard.schoolName}
                </Descriptions.Item>
                <Descriptions.Item label={t('hazards.place')}>{hazard.placeName ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('hazards.reportedBy')}>{hazard.reportedByName ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('hazards.reportedAt')}>{dateTime(hazard.reportedAt)}</Descriptions.Item>
                {hazard.closedAt && (
                  <Descriptions.Item label={t('hazards.closedAt')}>{dateTime(hazard.closedAt)}</Descriptions.Item>
                )}
                <Descriptions.Item label={t('hazards.description')} span={2}>
                  <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
                    {hazard.description || '—'}
                  </Typography.Paragraph>
                </Descriptions.Item>
              </Descriptions>
            </Col>
            {hazard.floorPlanFileId && hazard.planX !== null && (
              <Col xs={24} lg={10}>
                <Typography.Text type="secondary">{t('hazards.planPoint')}</Typography.Text>
                <div style={{ marginTop: 8 }}>
                  <PlanPoint fileId={hazard.floorPlanFileId} x={hazard.planX} y={hazard.planY} />
                </div>
              </Col>
            )}
          </Row>
        </Card>

        <Row gutter={[16, 16]}>
          <Col xs={24} xl={hazard.supervision ? 14 : 24}>
            <Card
              title={t('hazards.fiveFixes')}
              extra={<Typography.Text type="secondary">{t('hazards.fiveFixesHint')}</Typography.Text>}
              style={{ height: '100%' }}
              data-testid="five-fixes"
            >
              {assigned ? (
                <Descriptions column={{ xs: 1, sm: 2 }} size="small" bordered>
                  <Descriptions.Item label={t('hazards.responsibleUnit')}>
                    {hazard.responsibleUnit ?? '—'}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('hazards.responsiblePerson')}>
                    {hazard.responsibleUserName ?? '—'}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('hazards.measures')} span={2}>
                    <span style={{ whiteSpace: 'pre-wrap' }}>{hazard.measures ?? '—'}</span>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('hazards.funds')}>
                    {hazard.funds === null
                      ? '—'
                      : t('hazards.fundsValue', { value: hazard.funds.toLocaleString('zh-CN') })}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('hazards.deadline')}>
                    <Space size={4}>
                      {dateTime(hazard.deadline)}
                      <OverdueTag overdue={hazard.overdue} />
                    </Space>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('hazards.interimMeasures')} span={2}>
                    <span style={{ whiteSpace: 'pre-wrap' }}>{hazard.interimMeasures ?? '—'}</span>
                  </Descriptions.Item>
                </Descriptions>
              ) : (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('hazards.notAssigned')} />
              )}
            </Card>
          </Col>
          {hazard.supervision && (
            <Col xs={24} xl={10}>
              <Card title={t('hazards.supervision')} style={{ height: '100%' }} data-testid="supervision">
                <Descriptions column={1} size="small" bordered>
                  <Descriptions.Item label={t('hazards.supervisingOrg')}>
                    {hazard.supervision.orgName}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('hazards.supervisionDeadline')}>
                    <Space size={4}>
                      {dateTime(hazard.supervision.deadline)}
                      {hazard.supervision.deadline && (
                        <DaysLeft
                          deadline={hazard.supervision.deadline}
                          open={hazard.state !== 'closed' && hazard.state !== 'rejected'}
                        />
                      )}
                    </Space>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('hazards.requirements')}>
                    <span style={{ whiteSpace: 'pre-wrap' }}>{hazard.supervision.requirements ?? '—'}</span>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('hazards.supervisedAt')}>
                    {dateTime(hazard.supervision.at)}
                  </Descriptions.Item>
                </Descriptions>
              </Card>
            </Col>
          )}
        </Row>

        <Card title={t('hazards.compare')}>
          <div className="sc-hazard-compare">
            <div>
              <Typography.Title level={5}>{t('hazards.before')}</Typography.Title>
              <HazardPhotos photos={hazard.photos.before} testId="photos-before" emptyText={t('hazards.noPhotos')} />
            </div>
            <div>
              <Typography.Title level={5}>{t('hazards.after')}</Typography.Title>
              <HazardPhotos photos={hazard.photos.after} testId="photos-after" emptyText={t('hazards.noPhotos')} />
              {hazard.rectificationNote && (
                <Typography.Paragraph style={{ marginTop: 8, whiteSpace: 'pre-wrap' }}>
                  {hazard.rectificationNote}
                </Typography.Paragraph>
              )}
            </div>
          </div>
        </Card>

        <Card title={t('hazards.timeline')}>
          <Timeline
            data-testid="hazard-timeline"
            items={hazard.timeline.map((entry) => ({
              key: entry.id,
              color: timelineColor(entry),
              children: <TimelineStep entry={entry} />,
            }))}
          />
        </Card>
      </Space>
      {command && (
        <HazardActionModal
          hazard={hazard}
          command={command}
          onClose={() => setCommand(null)}
          onStale={() => {
            setCommand(null);
            void detail.refetch();
          }}
          onDone={(updated) => {
            queryClient.setQueryData(key, updated);
            void queryClient.invalidateQueries({ queryKey: ['hazards'] });
            message.success(t('hazards.done', { action: t(`hazards.commands.${command}`) }));
            setCommand(null);
          }}
        />
      )}
    </Page>
  );
}

const TAG_HEX: Record<string, string> = {
  blue: '#1677ff',
  cyan: '#13c2c2',
  orange: '#fa8c16',
  purple: '#722ed1',
  green: '#52c41a',
  default: '#bfbfbf',
};

function timelineColor(entry: HazardTimelineEntry): string {
  if (
    entry.action === 'overdue' ||
    entry.action === 'escalate' ||
    entry.action === 'reject' ||
    entry.action === 'return'
  )
    return 'red';
  if (entry.toState) return TAG_HEX[STATE_COLORS[entry.toState]] ?? 'blue';
  return 'gray';
}

/** Keys of a step's data shown in this order; others follow as recorded. */
const DATA_ORDER = [
  'grade',
  'riskLevel',
  'responsibleUnit',
  'responsibleUserName',
  'measures',
  'funds',
  'deadline',
  'interimMeasures',
  'requirements',
  'supervisingOrgName',
  'level',
  'reason',
];
// Shown elsewhere on the page already (the report's category and source are in the header).
const HIDDEN_DATA = new Set([
  'responsibleUserId',
  'photoIds',
  'orgId',
  'note',
  'supervisingOrgId',
  'source',
  'category',
  'placeId',
  'title',
]);

function TimelineStep({ entry }: { entry: HazardTimelineEntry }) {
  const { t } = useTranslation();
  const data = entry.data ?? {};
  const keys = [
    ...DATA_ORDER.filter((name) => name in data),
    ...Object.keys(data).filter((name) => !DATA_ORDER.includes(name) && !HIDDEN_DATA.has(name)),
  ].filter(
    (name) => data[name] !== null && data[name] !== undefined && data[name] !== '' && typeof data[name] !== 'object',
  );

  const formatValue = (name: string, value: unknown) => {
    if (name === 'grade') return <GradeTag grade={value as HazardGrade} />;
    if (name === 'riskLevel') return <RiskTag level={value as RiskLevel} />;
    if (name === 'deadline' || name.endsWith('At')) return dateTime(String(value));
    if (name === 'funds' && typeof value === 'number')
      return t('hazards.fundsValue', { value: value.toLocaleString('zh-CN') });
    if (name === 'level' && typeof value === 'number')
      return t(`hazards.escalationLevels.${value}`, { defaultValue: String(value) });
    return String(value);
  };

  return (
    <div data-testid="timeline-step" data-action={entry.action}>
      <Space wrap size={[8, 0]}>
        <Typography.Text strong>{t(`hazards.actions.${entry.action}`, { defaultValue: entry.action })}</Typography.Text>
        {entry.toState && entry.fromState !== entry.toState && (
          <TransitionTags from={entry.fromState} to={entry.toState} />
        )}
        <Typography.Text type="secondary">{entry.actorName ?? t('hazards.system')}</Typography.Text>
        <Typography.Text type="secondary">{dateTime(entry.at)}</Typography.Text>
      </Space>
      {entry.note && (
        <Typography.Paragraph style={{ margin: '4px 0 0', whiteSpace: 'pre-wrap' }}>{entry.note}</Typography.Paragraph>
      )}
      {keys.length > 0 && (
        <dl className="sc-hazard-timeline-data">
          {keys.map((name) => (
            <span key={name}>
              <dt>{t(`hazards.dataKeys.${name}`, { defaultValue: name })}：</dt>
              <dd>{formatValue(name, data[name])}</dd>
            </span>
          ))}
        </dl>
      )}
      {entry.photos.length > 0 && (
        <div style={{ marginTop: 8 }}>
          <HazardPhotos photos={entry.photos} small testId="timeline-photos" />
        </div>
      )}
    </div>
  );
}

function TransitionTags({ from, to }: { from: HazardState | null; to: HazardState }) {
  const { t } = useTranslation();
  return (
    <span>
      {from && <Typography.Text type="secondary">{t(`hazards.states.${from}`)} → </Typography.Text>}
      <Tag color={STATE_COLORS[to]} style={{ marginInlineEnd: 0 }}>
        {t(`hazards.states.${to}`)}
      </Tag>
    </span>
  );
}
