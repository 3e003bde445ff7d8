/** The variables a file-name template may use, and the type of value each takes. */
export const TEMPLATE_VARIABLES = {
  'start-time': 'date',
  'end-time': 'date',
  'recording-id': 'string',
  'call-id': 'string',
  tenant: 'string',
  'user-login': 'string',
  workstation: 'string',
  segment: 'number',
  monitor: 'string',
  direction: 'string',
  extension: 'string',
} as const;

export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;
export type TemplateValues = Partial<{
  [K in TemplateVariable]: (typeof TEMPLATE_VARIABLES)[K] extends 'date'
    ? Date
    : (typeof TEMPLATE_VARIABLES)[K] extends 'number'
      ? number
      : string;
}>;

export function isTemplateVariable(name: string): name is TemplateVariable {
  return Object.hasOwn(TEMPLATE_VARIABLES, name);
}
