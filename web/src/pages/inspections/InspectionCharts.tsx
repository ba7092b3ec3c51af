import type { InspectionStats, PatrolCoverage } from '@safe-campus/domain';
import { Empty } from 'antd';
import { BarChart, HeatmapChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
// The ESM build: the CommonJS one (lib/) reaches the bundle as an object, not a component.
import ReactEChartsCore from 'echarts-for-react/esm/core';
import { useTranslation } from 'react-i18next';

echarts.use([
  BarChart,
  HeatmapChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

/** A phone-width window, where charts drop the labels that would overlap. */
const isCrowded = () => typeof window !== 'undefined' && window.innerWidth < 600;

const rate = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 10);

/** Completion rate per unit or plan: bars of the rate (%) with done / missed in the tooltip. */
export function CompletionBars({
  rows,
  onClick,
}: {
  /** `detail` (a plan's school) is shown under the name in the tooltip. */
  rows: { name: string; detail?: string; done: number; missed: number; completionRate: number | null }[];
  onClick?: (index: number) => void;
}) {
  const { t } = useTranslation();
  const crowded = isCrowded();
  // Nothing was due (every rate null): an empty chart says more than a row of 0% bars.
  if (rows.every((row) => row.completionRate === null)) {
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('inspections.stats.nothingDue')} />;
  }
  const option = {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items: { dataIndex: number }[]) => {
        const row = rows[items[0]?.dataIndex ?? 0];
        if (!row) return '';
        return `${row.name}${row.detail ? `（${row.detail}）` : ''}<br/>${t('inspections.stats.completionRate')}：${row.completionRate === null ? '—' : `${rate(row.completionRate)}%`}<br/>${t('inspections.taskStates.done')} ${row.done} · ${t('inspections.taskStates.missed')} ${row.missed}`;
      },
    },
    grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: rows.map((row) => row.name),
      // On a phone many names cannot be read side by side: the tooltip names each bar instead.
      axisLabel: {
        show: !(crowded && rows.length > 4),
        interval: 0,
        rotate: rows.length > 6 ? 30 : 0,
        width: 100,
        overflow: 'truncate',
      },
    },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      {
        type: 'bar',
        barMaxWidth: 40,
        data: rows.map((row) => {
          const value = rate(row.completionRate);
          // '-' is ECharts' empty value: a unit with nothing due gets no bar rather than a 0% one.
          if (value === null) return { value: '-' };
          const color = value >= 95 ? '#52c41a' : value >= 80 ? '#faad14' : '#f5222d';
          return { value, itemStyle: { color } };
        }),
        label: { show: rows.length <= (crowded ? 5 : 12), position: 'top', formatter: '{c}%' },
      },
    ],
  };
  return (
    <ReactEChartsCore
      echarts={echarts}
      option={option}
      style={{ height: 300 }}
      notMerge
      onEvents={onClick ? { click: (params: { dataIndex: number }) => onClick(params.dataIndex) } : undefined}
    />
  );
}

/** Records completed by template kind in the period, with spot checks stacked on top. */
export function KindBars({ stats }: { stats: InspectionStats }) {
  const { t } = useTranslation();
  const rows = stats.recordsByKind.filter((row) => row.records > 0 || row.spotChecks > 0);
  if (rows.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('inspections.stats.noData')} />;
  const option = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    yAxis: { type: 'category', data: rows.map((row) => t(`inspections.kinds.${row.kind}`)), inverse: true },
    xAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        name: t('inspections.stats.ownRecords'),
        type: 'bar',
        stack: 'records',
        barMaxWidth: 24,
        data: rows.map((row) => row.records - row.spotChecks),
        itemStyle: { color: '#1677ff' },
      },
      {
        name: t('inspections.stats.spotChecks'),
        type: 'bar',
        stack: 'records',
        data: rows.map((row) => row.spotChecks),
        itemStyle: { color: '#722ed1' },
      },
    ],
  };
  return (
    <ReactEChartsCore
      echarts={echarts}
      option={option}
      style={{ height: Math.max(200, rows.length * 36 + 60) }}
      notMerge
    />
  );
}

/** 24-hour patrol coverage: one row per school, one column per hour, filled where a completed round covered it. */
export function CoverageHeatmap({ coverage }: { coverage: PatrolCoverage }) {
  const { t } = useTranslation();
  const crowded = isCrowded();
  const schools = coverage.items;
  if (schools.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('inspections.stats.noSchools')} />;
  const data = schools.flatMap((school, row) => school.hours.map((covered, hour) => [hour, row, covered ? 1 : 0]));
  const option = {
    tooltip: {
      formatter: (params: { value: [number, number, number] }) => {
        const [hour, row, covered] = params.value;
        const school = schools[row];
        return `${school?.schoolName ?? ''}<br/>${String(hour).padStart(2, '0')}:00–${String(hour + 1).padStart(2, '0')}:00 ${covered ? t('inspections.stats.covered') : t('inspections.stats.uncovered')}`;
      },
    },
    grid: { left: 8, right: 16, top: 8, bottom: 48, containLabel: true },
    xAxis: {
      type: 'category',
      data: Array.from({ length: 24 }, (_, hour) => String(hour)),
      splitArea: { show: true },
      name: t('inspections.stats.hour'),
      nameLocation: 'middle',
      nameGap: 28,
    },
    yAxis: {
      type: 'category',
      data: schools.map((school) => `${school.schoolName}（${school.coveredHours}/24）`),
      inverse: true,
      // Phones get the short names truncated so the 24 hours keep most of the width.
      axisLabel: { width: crowded ? 96 : 200, overflow: 'truncate' },
    },
    visualMap: {
      type: 'piecewise',
      show: false,
      pieces: [
        { value: 0, color: '#fff1f0' },
        { value: 1, color: '#52c41a' },
      ],
    },
    series: [
      {
        type: 'heatmap',
        data,
        itemStyle: { borderColor: '#fff', borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: '#333', borderWidth: 1 } },
      },
    ],
  };
  return (
    <div data-testid="coverage-heatmap">
      <ReactEChartsCore
        echarts={echarts}
        option={option}
        style={{ height: Math.max(160, schools.length * 28 + 80) }}
        notMerge
      />
    </div>
  );
}
