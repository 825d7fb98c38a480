// Elapsed time as people read it in progress lines: tenths while short (a skipped step, a
// kind load), whole seconds for a build, minutes past a minute.

/** `0.4s`, `9.8s`, `41s`, `2m05s`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}
