import type { Child } from 'hono/jsx';

/** A form field: label, control, help text and the validation message, tied together for screen readers. */
export function Field(props: {
  id: string;
  label: string;
  help?: string | undefined;
  error?: string | undefined;
  children: Child;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.help ? (
        <p class="help" id={`${props.id}-help`}>
          {props.help}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" id={`${props.id}-error`} role="alert">
          {capitalize(props.error)}
        </p>
      ) : null}
    </div>
  );
}

/** Schema messages often start in lower case ("must be …"); shown alone they read better capitalized. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** aria attributes for a control inside <Field>. */
export function described(id: string, help: string | undefined, error: string | undefined) {
  const ids = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { 'aria-describedby': ids || undefined, 'aria-invalid': error ? 'true' : undefined };
}

export function LocalTime(props: { at: Date | null | undefined; mode?: 'time' | 'datetime' }) {
  if (!props.at) return <span class="muted">—</span>;
  const iso = props.at.toISOString();
  return (
    <time datetime={iso} data-local={props.mode ?? 'datetime'}>
      {`${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`}
    </time>
  );
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h
    ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`
    : `${m}:${String(sec).padStart(2, '0')}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[i]}`;
}

/** "1–25 of 132" with previous/next links that keep the other query parameters. */
export function Pager(props: {
  total: number;
  offset: number;
  limit: number;
  href: (offset: number) => string;
}) {
  const { total, offset, limit } = props;
  if (total === 0) return null;
  const last = Math.min(total, offset + limit);
  return (
    <nav class="pager" aria-label="Pages">
      <span>
        {offset + 1}–{last} of {total}
      </span>
      {offset > 0 ? (
        <a class="btn small" href={props.href(Math.max(0, offset - limit))} rel="prev">
          Previous
        </a>
      ) : (
        <span class="btn small" aria-disabled="true">
          Previous
        </span>
      )}
      {last < total ? (
        <a class="btn small" href={props.href(offset + limit)} rel="next">
          Next
        </a>
      ) : (
        <span class="btn small" aria-disabled="true">
          Next
        </span>
      )}
    </nav>
  );
}

export function Badge(props: {
  tone?: 'ok' | 'warn' | 'bad' | 'info' | undefined;
  children: Child;
  title?: string | undefined;
}) {
  return (
    <span class={`badge ${props.tone ?? ''}`} title={props.title}>
      {props.children}
    </span>
  );
}
