import ffmpeg from '@deskrec/capture-ffmpeg';
import type { ModuleImporter } from '@deskrec/core';

/**
 * The capture plugin the agent ships with, imported statically so a bundled or single-executable agent (no
 * node_modules to import from at run time) still finds it; any other package name is imported as usual.
 */
const BUILTIN: Record<string, unknown> = { '@deskrec/capture-ffmpeg': { default: ffmpeg } };

export const builtinImporter: ModuleImporter = async (specifier) => BUILTIN[specifier] ?? import(specifier);
