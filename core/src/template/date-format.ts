import { TemplateError } from './template-error.js';

/** strftime directives we support; each maps onto fields of the date in the chosen time zone. */
const DIRECTIVES = new Set(['Y', 'y', 'm', 'd', 'H', 'M', 'S', 'L', 'j', 's', '%']);

/** Checks a date format; `offset` is where the format starts in the template, for error positions. */
export function validateDateFormat(format: string, offset: number): void {
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    const directive = format[i + 1];
    if (directive === undefined) throw new TemplateError('Date format ends with a lone "%"', offset + i);
    if (!DIRECTIVES.has(directive)) {
      throw new TemplateError(
        `Unknown date directive "%${directive}" (use %Y %y %m %d %H %M %S %L %j %s)`,
        offset + i,
      );
    }
    i++;
  }
}

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function partsIn(date: Date, timeZone: string): DateParts {
  if (timeZone === 'UTC') {
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
    };
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(date);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function dayOfYear({ year, month, day }: DateParts): number {
  return Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
}

/** Formats `date` with an already validated strftime-style format. */
export function formatDate(date: Date, format: string, timeZone: string): string {
  const p = partsIn(date, timeZone);
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const directive = format[++i];
    switch (directive) {
      case 'Y':
        out += pad(p.year, 4);
        break;
      case 'y':
        out += pad(p.year % 100, 2);
        break;
      case 'm':
        out += pad(p.month, 2);
        break;
      case 'd':
        out += pad(p.day, 2);
        break;
      case 'H':
        out += pad(p.hour, 2);
        break;
      case 'M':
        out += pad(p.minute, 2);
        break;
      case 'S':
        out += pad(p.second, 2);
        break;
      case 'L':
        out += pad(date.getUTCMilliseconds(), 3);
        break;
      case 'j':
        out += pad(dayOfYear(p), 3);
        break;
      case 's':
        out += String(Math.floor(date.getTime() / 1000));
        break;
      default:
        out += '%';
    }
  }
  return out;
}
