import type { TaskCounts, TemplateKind } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Empty, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { type ReactNode, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Page, Place, User } from '../../api/types';
import { SchoolPicker } from '../../app/SchoolPicker';
import { useUser } from '../../app/session';
import { ownSchoolId } from '../../app/useSchools';

export const dateTime = (value: string | null | undefined) => (value ? dayjs(value).format('YYYY-MM-DD HH:mm') : '—');
export const clock = (value: string) => dayjs(value).format('HH:mm');
export const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;

/** Task states: done green, missed red, pending blue (the calendar uses the same colours). */
export const STATE_COLORS: Record<'done' | 'missed' | 'pending', string> = {
  done: 'success',
  missed: 'error',
  pending: 'processing',
};

const KIND_COLORS: Partial<Record<TemplateKind, string>> = {
  fire_daily: 'volcano',
  fire_monthly: 'orange',
  fire_quarterly: 'red',
  gate: 'geekblue',
  dormitory: 'cyan',
  laboratory: 'purple',
  school_bus: 'gold',
  holiday: 'magenta',
  supervision: 'blue',
  patrol: 'green',
};

export function KindTag({ kind }: { kind: TemplateKind }) {
  const { t } = useTranslation();
  return <Tag color={KIND_COLORS[kind]}>{t(`inspections.kinds.${kind}`)}</Tag>;
}

export function TaskStateTag({ state }: { state: 'done' | 'missed' | 'pending' }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATE_COLORS[state]} data-testid="task-state">
      {t(`inspections.taskStates.${state}`)}
    </Tag>
  );
}

/** 12 / 15 完成 · 3 漏检 — a one-line summary of task counts. */
export function CountsLine({ counts }: { counts: TaskCounts }) {
  const { t } = useTranslation();
  return (
    <Typography.Text type="secondary">
      {t('inspections.counts', {
        done: counts.done,
        missed: counts.missed,
        pending: counts.pending,
        rate: percent(counts.completionRate),
      })}
    </Typography.Text>
  );
}

/**
 * The school a page works on: a school user's own school; a bureau user picks one. Returns the id and the
 * picker to show (null for school users).
 */
export function useWorkingSchool(): { schoolId: number | null; picker: ReactNode; bureau: boolean } {
  const user = useUser();
  const own = ownSchoolId(user);
  const [picked, setPicked] = useStoredSchool();
  if (own !== null) return { schoolId: own, picker: null, bureau: false };
  return { schoolId: picked, picker: <SchoolPicker value={picked} onChange={setPicked} />, bureau: true };
}

// A bureau user moving between 路线/计划/日历 keeps the school they picked.
let rememberedSchool: number | null = null;
const listeners = new Set<() => void>();
function useStoredSchool(): [number | null, (id: number | null) => void] {
  const value = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => rememberedSchool,
  );
  return [
    value,
    (id) => {
      rememberedSchool = id;
      for (const listener of listeners) listener();
    },
  ];
}

/** The places of a school (every level), for checkpoints and plan targets. */
export function useSchoolPlaces(schoolId: number | null) {
  return useQuery({
    queryKey: ['places', 'of', schoolId],
    enabled: schoolId !== null,
    queryFn: async () => {
      const all: Place[] = [];
      let cursor: string | null | undefined;
      // Read past the first page: a big school has hundreds of rooms.
      for (let page = 0; page < 10; page++) {
        const result = await api.get<Page<Place>>('/places', {
          orgId: schoolId,
          limit: 200,
          cursor: cursor ?? undefined,
        });
        all.push(...result.items);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      return all;
    },
  });
}

/** A place's name with its parents, `教学楼 / 1层 / 101室`. */
export function placeLabel(place: Place, byId: Map<number, Place>): string {
  const names = [place.name];
  let parent = place.parentId === null ? undefined : byId.get(place.parentId);
  for (let depth = 0; parent && depth < 5; depth++) {
    names.unshift(parent.name);
    parent = parent.parentId === null ? undefined : byId.get(parent.parentId);
  }
  return names.join(' / ');
}

/** The users holding a role in a school (assignees of plans). */
export function useSchoolUsers(schoolId: number | null) {
  return useQuery({
    queryKey: ['users', 'of', schoolId],
    enabled: schoolId !== null,
    queryFn: () => api.get<Page<User>>('/users', { orgId: schoolId, limit: 200 }),
  });
}

/** The error banner with a retry button every page shows when a read fails. */
export function LoadError({ error, onRetry }: { error: Error; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      message={t('common.loadFailed')}
      description={error.message}
      action={
        <Button size="small" onClick={onRetry}>
          {t('common.retry')}
        </Button>
      }
    />
  );
}

/** Shown instead of a school's data until a bureau user picks a school. */
export function PickSchoolFirst({ picker }: { picker: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Card>
      <Empty description={t('inspections.pickSchoolFirst')}>
        <Space>{picker}</Space>
      </Empty>
    </Card>
  );
}

/** A v4 UUID for idempotent writes; `crypto.randomUUID` exists only on https or localhost. */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
