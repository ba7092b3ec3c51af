import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * A place's floor plan with the hazard's point. With `onPick` the user clicks to set the point
 * (planX, planY in 0..1, as on the places page); without it the point is only shown.
 */
export function PlanPoint({
  fileId,
  x,
  y,
  onPick,
}: {
  fileId: string;
  x?: number | null;
  y?: number | null;
  onPick?: (x: number, y: number) => void;
}) {
  const { t } = useTranslation();
  const round = (value: number) => Math.min(1, Math.max(0, Math.round(value * 1000) / 1000));
  return (
    <div>
      {onPick && (
        <Typography.Paragraph type="secondary" style={{ margin: '0 0 8px' }}>
          {t('hazards.clickPlan')}
        </Typography.Paragraph>
      )}
      <div className={`sc-hazard-plan${onPick ? ' pickable' : ''}`} data-testid="hazard-plan">
        <img
          src={`/api/v1/files/${fileId}`}
          alt={t('hazards.plan')}
          onClick={(event) => {
            if (!onPick) return;
            const box = event.currentTarget.getBoundingClientRect();
            onPick(round((event.clientX - box.left) / box.width), round((event.clientY - box.top) / box.height));
          }}
          onKeyDown={() => undefined}
        />
        {typeof x === 'number' && typeof y === 'number' && (
          <span className="sc-hazard-plan-pin" style={{ left: `${x * 100}%`, top: `${y * 100}%` }} />
        )}
      </div>
    </div>
  );
}
