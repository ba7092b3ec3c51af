import { Image, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export interface PhotoRef {
  id: string;
  hasThumbnail: boolean;
}

/** Thumbnails that open the full photo in a viewer. */
export function HazardPhotos({
  photos,
  small,
  testId,
  emptyText,
}: {
  photos: PhotoRef[];
  small?: boolean;
  testId?: string;
  emptyText?: string;
}) {
  const { t } = useTranslation();
  if (photos.length === 0) {
    return emptyText ? (
      <Typography.Text type="secondary" data-testid={testId}>
        {emptyText}
      </Typography.Text>
    ) : null;
  }
  return (
    <div className={`sc-hazard-photos${small ? ' small' : ''}`} data-testid={testId}>
      <Image.PreviewGroup>
        {photos.map((photo) => (
          <Image
            key={photo.id}
            src={photo.hasThumbnail ? `/api/v1/files/${photo.id}/thumbnail` : `/api/v1/files/${photo.id}`}
            preview={{ src: `/api/v1/files/${photo.id}` }}
            alt={t('hazards.photo')}
            width={small ? 64 : 96}
            height={small ? 64 : 96}
          />
        ))}
      </Image.PreviewGroup>
    </div>
  );
}
