import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

export const MAX_PHOTOS = 9;
const MAX_SIDE = 1600;

/**
 * Redraws a photo at most 1600 px on its long side as JPEG: a 12-megapixel camera shot becomes ~300 kB, which
 * sends on a weak signal, and redrawing drops the EXIF block (with the GPS position) on the way.
 */
export async function downscalePhoto(file: Blob): Promise<Blob> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return file; // A format this browser cannot decode (HEIC on some phones): the server decides.
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) {
    bitmap.close();
    return file;
  }
  context.fillStyle = '#fff'; // a transparent PNG would turn black in JPEG
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob ?? file), 'image/jpeg', 0.85));
}

function usePreviews(photos: Blob[]): string[] {
  const [urls, setUrls] = useState<string[]>([]);
  // Made and revoked in one effect, so StrictMode's second run does not leave revoked URLs on screen.
  useEffect(() => {
    const made = photos.map((photo) => URL.createObjectURL(photo));
    setUrls(made);
    return () => {
      for (const url of made) URL.revokeObjectURL(url);
    };
  }, [photos]);
  return urls;
}

/** Camera capture, up to nine photos, with previews and a remove button on each. */
export function PhotoPicker({
  photos,
  onChange,
  testId,
}: {
  photos: Blob[];
  onChange: (photos: Blob[]) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const previews = usePreviews(photos);
  const room = MAX_PHOTOS - photos.length;
  return (
    <div className="mh-photos" data-testid={testId}>
      {previews.map((url, index) => (
        <div key={url} className="mh-photo">
          <img src={url} alt={t('mobileHazards.photoN', { n: index + 1 })} />
          <button
            type="button"
            className="mh-photo-remove"
            aria-label={t('mobileHazards.removePhoto', { n: index + 1 })}
            onClick={() => onChange(photos.filter((_, other) => other !== index))}
          >
            ×
          </button>
        </div>
      ))}
      {room > 0 && (
        <label className={busy ? 'mh-photo mh-photo-add mh-busy' : 'mh-photo mh-photo-add'}>
          <span className="mh-photo-add-icon" aria-hidden>
            ＋
          </span>
          <span>{busy ? t('mobileHazards.processing') : t('mobileHazards.takePhoto')}</span>
          <input
            ref={input}
            type="file"
            accept="image/*"
            capture="environment"
            multiple
            disabled={busy}
            onChange={async (event) => {
              const files = [...(event.target.files ?? [])].slice(0, room);
              event.target.value = '';
              if (files.length === 0) return;
              setBusy(true);
              try {
                const scaled: Blob[] = [];
                for (const file of files) scaled.push(await downscalePhoto(file)); // one at a time: phone memory
                onChange([...photos, ...scaled]);
              } finally {
                setBusy(false);
              }
            }}
          />
        </label>
      )}
    </div>
  );
}
