import { FileNameTemplate, type TemplateValues } from '@deskrec/core';

/**
 * The storage key of one segment. Admins usually write a template with one file per recording in mind;
 * when the template does not tell segments and monitors apart itself, every file after the first gets
 * `-<monitor>-<segment>` before its extension so none overwrites another.
 */
export function segmentKey(template: string, values: TemplateValues, timeZone?: string): string {
  const compiled = new FileNameTemplate(template);
  const distinguishes = /%\{segment[}#]/.test(template) && /%\{monitor[}#]/.test(template);
  const key = compiled.render(values, timeZone ? { timeZone } : {});
  const first = (values.segment ?? 0) === 0 && (values.monitor ?? '0') === '0';
  if (distinguishes || first) return key;
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  const suffix = `-${values.monitor ?? '0'}-${String(values.segment ?? 0).padStart(3, '0')}`.replace(
    /[^A-Za-z0-9_-]/g,
    '_',
  );
  return dot > slash + 1 ? `${key.slice(0, dot)}${suffix}${key.slice(dot)}` : `${key}${suffix}`;
}
