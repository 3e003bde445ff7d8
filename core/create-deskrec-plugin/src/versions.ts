/**
 * What a scaffolded plugin is built against. Kept in step with @deskrec/core by this package's tests: the peer
 * range covers core's version and the API range covers its CORE_API_VERSION.
 */
export const CORE_RANGE = '^0.1.0';
export const API_RANGE = '^1.0.0';

/** Dev tools of a scaffolded plugin, the versions the deskrec repository itself builds and tests with. */
export const DEV_DEPENDENCIES: Record<string, string> = {
  '@types/node': '^20.19.0',
  tsx: '^4.20.0',
  typescript: '~5.9.3',
  uvu: '^0.5.6',
  zod: '^4.1.0',
};

/** What a kind's skeleton needs besides core: the capture skeleton is built on deskrec's ffmpeg backend. */
export const KIND_DEPENDENCIES: Record<
  string,
  { dependencies?: Record<string, string>; devDependencies?: Record<string, string> }
> = {
  capture: {
    dependencies: { '@deskrec/capture-ffmpeg': '^0.1.0' },
    devDependencies: { '@ffmpeg-installer/ffmpeg': '^1.1.0' },
  },
};
