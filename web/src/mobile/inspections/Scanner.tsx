import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}

type JsQr = typeof import('jsqr')['default'];

/** The browser's own QR reader where it has one (Android Chrome), otherwise jsQR loaded on demand. */
async function makeDetector(): Promise<Detector> {
  const Native = (window as unknown as { BarcodeDetector?: new (options: { formats: string[] }) => Detector })
    .BarcodeDetector;
  if (Native) {
    try {
      return new Native({ formats: ['qr_code'] });
    } catch {
      // no QR support in this build: fall through to jsQR
    }
  }
  const jsQR: JsQr = (await import('jsqr')).default;
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  return {
    detect: async (video) => {
      if (!context || video.videoWidth === 0) return [];
      // 640 px is plenty for a label at arm's length and keeps each frame cheap on a low-end phone.
      const scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
      return found ? [{ rawValue: found.data }] : [];
    },
  };
}

/** Fetches jsQR ahead (so it is cached for offline use) where the browser has no QR reader of its own. */
export function prefetchScanner(): void {
  if (!('BarcodeDetector' in window)) void import('jsqr').catch(() => {});
}

/**
 * Full-screen camera sheet. Each code read goes to `onCode`, which answers null (accepted: the sheet closes)
 * or the reason it is refused (shown on the spot; scanning goes on). A typed code is the fallback for a
 * broken camera or a worn label.
 */
export function Scanner({
  title,
  onCode,
  onClose,
}: {
  title: string;
  onCode: (code: string) => string | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [cameraError, setCameraError] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [manual, setManual] = useState('');
  const handler = useRef(onCode);
  handler.current = onCode;

  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let pausedUntil = 0;
    (async () => {
      try {
        if (!navigator.mediaDevices?.getUserMedia) throw new Error('no camera');
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
        if (stopped || !video.current) return;
        video.current.srcObject = stream;
        await video.current.play().catch(() => {});
        const detector = await makeDetector();
        const tick = async () => {
          if (stopped || !video.current) return;
          if (Date.now() >= pausedUntil) {
            try {
              const [code] = await detector.detect(video.current);
              if (code?.rawValue && !stopped) {
                const reason = handler.current(code.rawValue);
                if (reason === null) return; // accepted; the parent closes the sheet
                setRefusal(reason);
                pausedUntil = Date.now() + 1500; // the same wrong label stays in view: do not flash
              }
            } catch {
              // a frame that could not be read
            }
          }
          timer = setTimeout(tick, 250);
        };
        void tick();
      } catch {
        if (!stopped) setCameraError(true);
      }
    })();
    return () => {
      stopped = true;
      clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, []);

  return (
    <div className="mi-scanner" role="dialog" aria-label={title} data-testid="scanner">
      <div className="mi-scanner-head">
        <span>{title}</span>
        <button type="button" className="mi-scanner-close" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </div>
      <div className="mi-scanner-view">
        {cameraError ? (
          <div className="mi-scanner-nocam">{t('mobileInspections.noCamera')}</div>
        ) : (
          <>
            <video ref={video} muted playsInline className="mi-scanner-video" />
            <div className="mi-scanner-frame" aria-hidden />
          </>
        )}
      </div>
      {refusal && (
        <div className="mi-refusal" role="alert" data-testid="scan-error">
          {refusal}
        </div>
      )}
      <form
        className="mi-manual"
        onSubmit={(event) => {
          event.preventDefault();
          const code = manual.trim();
          if (!code) return;
          const reason = onCode(code);
          if (reason !== null) setRefusal(reason);
          else setManual('');
        }}
      >
        <input
          value={manual}
          onChange={(event) => setManual(event.target.value)}
          placeholder={t('mobileInspections.manualPlaceholder')}
          aria-label={t('mobileInspections.manualLabel')}
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          data-testid="manual-code"
        />
        <button type="submit" className="mi-manual-go" data-testid="manual-submit">
          {t('mobileInspections.manualSubmit')}
        </button>
      </form>
    </div>
  );
}
