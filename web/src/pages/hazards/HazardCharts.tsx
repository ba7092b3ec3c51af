import type { HazardStats } from '@safe-campus/domain';
import { Card, Col, Empty, Row } from 'antd';
import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
// The ESM build: the CommonJS one (lib/) reaches the bundle as an object, not a component.
import ReactEChartsCore from 'echarts-for-react/esm/core';
import { useTranslation } from 'react-i18next';

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const GRADE_HEX: Record<string, string> = { general: '#1677ff', larger: '#fa8c16', major: '#f5222d', none: '#bfbfbf' };

/** The statistics charts; a module of its own so ECharts loads only with this page. */
export function HazardCharts({ stats, onDrill }: { stats: HazardStats; onDrill: (orgId: number) => void }) {
  const { t } = useTranslation();
  const children = stats.byChild;
  const categories = stats.byCategory.filter((row) => row.found > 0);
  const grades = stats.byGrade.filter((row) => row.found > 0);

  const byChild = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: children.map((row) => row.orgName),
      axisLabel: { interval: 0, rotate: children.length > 6 ? 30 : 0, width: 90, overflow: 'truncate' },
    },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        name: t('hazards.stats.rectified'),
        type: 'bar',
        stack: 'found',
        data: children.map((row) => row.rectified),
        itemStyle: { color: '#52c41a' },
      },
      {
        name: t('hazards.stats.unrectified'),
        type: 'bar',
        stack: 'found',
        data: children.map((row) => row.unrectified),
        itemStyle: { color: '#fa8c16' },
      },
      {
        name: t('hazards.stats.overdue'),
        type: 'bar',
        data: children.map((row) => row.overdue),
        itemStyle: { color: '#f5222d' },
      },
    ],
  };

  const byCategory = {
    animationDuration: 400,
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { type: 'scroll', bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['40%', '68%'],
        center: ['50%', '45%'],
        label: { formatter: '{b}\n{c}' },
        data: categories.map((row) => ({ name: t(`hazards.categories.${row.category}`), value: row.found })),
      },
    ],
  };

  const byGrade = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: grades.map((row) => (row.grade ? t(`hazards.grades.${row.grade}`) : t('hazards.ungraded'))),
    },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        name: t('hazards.stats.found'),
        type: 'bar',
        barMaxWidth: 48,
        data: grades.map((row) => ({ value: row.found, itemStyle: { color: GRADE_HEX[row.grade ?? 'none'] } })),
      },
      {
        name: t('hazards.stats.rectified'),
        type: 'bar',
        barMaxWidth: 48,
        data: grades.map((row) => row.rectified),
        itemStyle: { color: '#52c41a' },
      },
    ],
  };

  const empty = <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('hazards.stats.noData')} />;
  return (
    <Row gutter={[16, 16]}>
      <Col span={24}>
        <Card
          title={t('hazards.stats.byChild', { level: t(`hazards.stats.childLevels.${stats.org.level}`) })}
          size="small"
        >
          {children.length === 0 ? (
            empty
          ) : (
            <ReactEChartsCore
              echarts={echarts}
              option={byChild}
              style={{ height: 320 }}
              notMerge
              onEvents={{
                click: (params: { dataIndex: number }) =>
                  children[params.dataIndex] && onDrill(children[params.dataIndex]!.orgId),
              }}
            />
          )}
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card title={t('hazards.stats.byCategory')} size="small">
          {categories.length === 0 ? (
            empty
          ) : (
            <ReactEChartsCore echarts={echarts} option={byCategory} style={{ height: 300 }} notMerge />
          )}
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card title={t('hazards.stats.byGrade')} size="small">
          {grades.length === 0 ? (
            empty
          ) : (
            <ReactEChartsCore echarts={echarts} option={byGrade} style={{ height: 300 }} notMerge />
          )}
        </Card>
      </Col>
    </Row>
  );
}
