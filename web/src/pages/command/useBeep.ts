import { useCallback, useEffect, useRef, useState } from 'react';

const MUTE_KEY = 'sc.command.muted';

/**
 * A Web Audio alarm tone. Browsers start audio only after a user gesture, so `unlock` must run from a
 * click; until then the page shows a prompt. Mute is remembered per browser.
 */
export function useBeep() {
  const context = useRef<AudioContext | null>(null);
  const [unlocked, setUnlocked] = useState(false);
  const [muted, setMuted] = useState(() => localStorage.getItem(MUTE_KEY) === '1');

  useEffect(() => {
    localStorage.setItem(MUTE_KEY, muted ? '1' : '0');
  }, [muted]);
  useEffect(() => () => void context.current?.close(), []);

  const unlock = useCallback(() => {
    const AudioContextClass =
      window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!AudioContextClass) return;
    context.current ??= new AudioContextClass();
    void context.current.resume().then(() => setUnlocked(context.current?.state === 'running'));
  }, []);

  /** Three two-tone pulses (about 1 s). Returns whether a sound was played. */
  const beep = useCallback((): boolean => {
    const audio = context.current;
    if (audio?.state !== 'running' || muted) return false;
    const start = audio.currentTime;
    for (let pulse = 0; pulse < 3; pulse++) {
      for (const [offset, frequency] of [
        [0, 880],
        [0.16, 660],
      ] as const) {
        const at = start + pulse * 0.36 + offset;
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.type = 'square';
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.15);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(at);
        oscillator.stop(at + 0.16);
      }
    }
    return true;
  }, [muted]);

  return { unlocked, unlock, muted, setMuted, beep };
}
