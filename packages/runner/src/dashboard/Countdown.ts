/**
 * A countdown as the dashboard shows it, "2 ngày 03:12:05" / "2 d 03:12:05" or "45:10": the same function
 * renders the page on the server and ticks it every second in the browser.
 */
export const countdown = (ms: number, dayWord: string): string => {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (v: number) => String(v).padStart(2, "0");
  const clock = h > 0 || d > 0 ? `${d > 0 ? two(h) : h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
  return d > 0 ? `${d} ${dayWord} ${clock}` : clock;
};
