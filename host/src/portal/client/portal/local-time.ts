const two = (n: number) => String(n).padStart(2, '0');

/** A date in the browser's time zone as "YYYY-MM-DD HH:MM:SS" (or the time alone). */
export function localDateTime(d: Date, mode: 'time' | 'date-time'): string {
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  if (mode === 'time') return time;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}`;
}
