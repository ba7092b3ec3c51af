import {
  CheckCircleFilled,
  CloseCircleFilled,
  EditOutlined,
  SafetyCertificateOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import type { RecordAnswer, RecordDetail } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Drawer,
  Empty,
  Result,
  Skeleton,
  Space,
  Tag,
  Timeline,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, api } from '../../api/client';
import { useSession } from '../../app/session';
import { HazardPhotos } from '../hazards/HazardPhotos';
import { CorrectionModal } from './CorrectionModal';
import { dateTime, KindTag } from './shared';

/** The answer as a person reads it: 合格 / 不合格, `1.0 MPa`, the text, or 照片. */
export function AnswerValue({ answer }: { answer: RecordAnswer }) {
  const { t } = useTranslation();
  if (answer.value === null) {
    return (
      <Typography.Text type="secondary">
        {answer.itemType === 'photo' ? t('inspections.record.photoOnly') : '—'}
      </Typography.Text>
    );
  }
  if (typeof answer.value === 'boolean')
    return <span>{answer.value ? t('inspections.record.yes') : t('inspections.record.no')}</span>;
  if (typeof answer.value === 'number') return <span>{`${answer.value}${answer.unit ? ` ${answer.unit}` : ''}`}</span>;
  return <span style={{ whiteSpace: 'pre-wrap' }}>{answer.value}</span>;
}

function PassTag({ passed }: { passed: boolean }) {
  const { t } = useTranslation();
  return passed ? (
    <Tag icon={<CheckCircleFilled />} color="success">
      {t('inspections.record.passed')}
    </Tag>
  ) : (
    <Tag icon={<CloseCircleFilled />} color="error" data-testid="answer-failed">
      {t('inspections.record.failed')}
    </Tag>
  );
}

/** Answers grouped by checkpoint (route records) and section, in the order the template lists them. */
function groupAnswers(answers: RecordAnswer[]): { title: string; answers: RecordAnswer[] }[] {
  const groups: { title: string; answers: RecordAnswer[] }[] = [];
  for (const answer of answers) {
    const title = answer.checkpointPlaceName
      ? `${answer.checkpointPlaceName} · ${answer.sectionTitle}`
      : answer.sectionTitle;
    const last = groups.at(-1);
    if (last && last.title === title) last.answers.push(answer);
    else groups.push({ title, answers: [answer] });
  }
  return groups;
}

/**
 * 检查记录详情: who, when and where; each answer with its result, photos and the hazard it raised; the
 * route's scans; the signature; the correction chain; and 更正 (a new record, the old one stays as it was).
 */
export function RecordDrawer({ recordId, onClose }: { recordId: number | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  // Following the correction chain replaces the record shown; closing returns to the list.
  const [shown, setShown] = useState<number | null>(null);
  const [correcting, setCorrecting] = useState(false);
  const current = shown ?? recordId;
  const detail = useQuery({
    queryKey: ['inspections', 'records', 'detail', current],
    enabled: current !== null,
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    queryFn: () => api.get<RecordDetail>(`/inspections/records/${current}`, undefined, { quiet: true }),
  });
  const record = detail.data && detail.data.id === current ? detail.data : undefined;
  const close = () => {
    setShown(null);
    onClose();
  };

  return (
    <Drawer
      open={recordId !== null}
      onClose={close}
      width={Math.min(760, typeof window === 'undefined' ? 760 : window.innerWidth)}
      title={record ? `${record.templateName} · ${dateTime(record.completedAt)}` : t('inspections.record.title')}
      extra={
        record && can('inspection.execute') ? (
          <Button icon={<EditOutlined />} onClick={() => setCorrecting(true)} data-testid="record-correct">
            {t('inspections.record.correct')}
          </Button>
        ) : null
      }
    >
      {detail.isError ? (
        <Result
          status={detail.error instanceof ApiError && detail.error.status === 404 ? '404' : 'error'}
          title={
            detail.error instanceof ApiError && detail.error.status === 404
              ? t('inspections.record.notFound')
              : t('common.loadFailed')
          }
          subTitle={detail.error.message}
        />
      ) : !record ? (
        <Skeleton active paragraph={{ rows: 10 }} />
      ) : (
        <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="record-detail">
          {record.correctsRecordId && (
            <Alert
              type="info"
              showIcon
              message={
                <span>
                  {t('inspections.record.correctsNote')}{' '}
                  <Typography.Link onClick={() => setShown(record.correctsRecordId)}>
                    {t('inspections.record.openOriginal')}
                  </Typography.Link>
                </span>
              }
            />
          )}
          {record.corrections.length > 0 && (
            <Alert
              type="warning"
              showIcon
              message={t('inspections.record.correctedBy')}
              description={
                <Space direction="vertical" size={0}>
                  {record.corrections.map((correction) => (
                    <Typography.Link
                      key={correction.id}
                      onClick={() => setShown(correction.id)}
                      data-testid="correction-link"
                    >
                      {`${dateTime(correction.completedAt)} · ${correction.inspectorName}`}
                    </Typography.Link>
                  ))}
                </Space>
              }
            />
          )}
          <Descriptions
            size="small"
            bordered
            column={{ xs: 1, sm: 2, md: 2, lg: 2, xl: 2, xxl: 2 }}
            labelStyle={{ whiteSpace: 'nowrap' }}
          >
            <Descriptions.Item label={t('inspections.record.template')} span={2}>
              <Space wrap size={4}>
                <span>{`${record.templateName} v${record.templateVersion}`}</span>
                <KindTag kind={record.templateKind} />
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('inspections.record.school')}>{record.schoolName}</Descriptions.Item>
            <Descriptions.Item label={t('inspections.record.where')}>
              {record.routeName
                ? `${t('inspections.plan.targets.route')}：${record.routeName}`
                : (record.placeName ?? t('inspections.plan.targets.school'))}
            </Descriptions.Item>
            <Descriptions.Item label={t('inspections.record.inspector')}>
              <span data-testid="record-inspector">{record.inspectorName}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('inspections.record.plan')}>
              {record.planName ??
                (record.spotCheckOrgName ? t('inspections.record.spotCheckBy', { org: record.spotCheckOrgName }) : '—')}
            </Descriptions.Item>
            <Descriptions.Item label={t('inspections.record.startedAt')}>
              {dateTime(record.startedAt)}
            </Descriptions.Item>
            <Descriptions.Item label={t('inspections.record.completedAt')}>
              <Space size={4}>
                {dateTime(record.completedAt)}
                {record.inWindow === false && <Tag color="warning">{t('inspections.record.outOfWindow')}</Tag>}
                {record.inWindow === true && <Tag color="success">{t('inspections.record.inWindow')}</Tag>}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('inspections.record.receivedAt')}>
              {dateTime(record.receivedAt)}
            </Descriptions.Item>
            <Descriptions.Item label={t('inspections.record.result')}>
              {record.failedCount > 0 ? (
                <Typography.Text type="danger">
                  {t('inspections.record.failedOf', { failed: record.failedCount, total: record.itemCount })}
                </Typography.Text>
              ) : (
                <Typography.Text type="success">
                  {t('inspections.record.allPassed', { total: record.itemCount })}
                </Typography.Text>
              )}
            </Descriptions.Item>
            {record.note && (
              <Descriptions.Item label={t('inspections.record.note')} span={2}>
                <span style={{ whiteSpace: 'pre-wrap' }}>{record.note}</span>
              </Descriptions.Item>
            )}
            <Descriptions.Item label={t('inspections.record.signature')} span={2}>
              <Space size={4} wrap>
                {record.signatureValid ? (
                  <Tag icon={<SafetyCertificateOutlined />} color="success" data-testid="signature-valid">
                    {t('inspections.record.signatureValid')}
                  </Tag>
                ) : (
                  <Tag icon={<WarningOutlined />} color="error" data-testid="signature-invalid">
                    {t('inspections.record.signatureInvalid')}
                  </Tag>
                )}
                <Tooltip title={record.signature}>
                  <Typography.Text code className="sc-insp-signature">
                    {record.signature.slice(0, 16)}…
                  </Typography.Text>
                </Tooltip>
              </Space>
            </Descriptions.Item>
          </Descriptions>

          {record.hazards.length > 0 && (
            <Card size="small" title={t('inspections.record.hazards')}>
              <Space direction="vertical" size={4} data-testid="record-hazards">
                {record.hazards.map((hazard) => (
                  <Link key={hazard.id} to={`/hazards/${hazard.id}`} data-testid="record-hazard-link">
                    {`${hazard.code} ${hazard.title}`}{' '}
                    <Tag>{t(`hazards.states.${hazard.state}`, { defaultValue: hazard.state })}</Tag>
                  </Link>
                ))}
              </Space>
            </Card>
          )}

          {record.scans.length > 0 && (
            <Card size="small" title={t('inspections.record.scans')}>
              <Timeline
                items={record.scans.map((scan) => ({
                  key: `${scan.checkpointId}-${scan.scannedAt}`,
                  children: (
                    <span>
                      <Typography.Text strong>{scan.seq}. </Typography.Text>
                      {scan.placeName}
                      <Typography.Text type="secondary"> {dateTime(scan.scannedAt)}</Typography.Text>
                    </span>
                  ),
                }))}
              />
            </Card>
          )}

          <Card size="small" title={t('inspections.record.answers')} styles={{ body: { paddingTop: 0 } }}>
            {record.answers.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
            ) : (
              groupAnswers(record.answers).map((group) => (
                <div key={group.title} className="sc-insp-answer-group">
                  <Typography.Title level={5}>{group.title}</Typography.Title>
                  {group.answers.map((answer) => (
                    <div
                      key={`${answer.checkpointId ?? 0}-${answer.itemKey}`}
                      className={`sc-insp-answer${answer.passed ? '' : ' failed'}`}
                      data-testid="record-answer"
                    >
                      <div className="sc-insp-answer-head">
                        <Typography.Text>{answer.itemText}</Typography.Text>
                        <PassTag passed={answer.passed} />
                      </div>
                      <div className="sc-insp-answer-body">
                        {/* A pass/fail answer is said by its tag; other values are shown. */}
                        {typeof answer.value !== 'boolean' && <AnswerValue answer={answer} />}
                        {answer.note && <Typography.Text type="secondary">（{answer.note}）</Typography.Text>}
                        {answer.hazardId && (
                          <Link to={`/hazards/${answer.hazardId}`} className="sc-insp-answer-hazard">
                            <WarningOutlined /> {t('inspections.record.hazardLink')}
                          </Link>
                        )}
                      </div>
                      <HazardPhotos photos={answer.photos} small />
                    </div>
                  ))}
                </div>
              ))
            )}
          </Card>
        </Space>
      )}
      {record && (
        <CorrectionModal
          open={correcting}
          record={record}
          onClose={() => setCorrecting(false)}
          onCreated={(created) => {
            setCorrecting(false);
            setShown(created.id);
          }}
        />
      )}
    </Drawer>
  );
}
