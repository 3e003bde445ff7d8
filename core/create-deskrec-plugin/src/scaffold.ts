import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultTitle, type Kind, packageNameProblem, pluginIds } from './names.js';
import { API_RANGE, CORE_RANGE, DEV_DEPENDENCIES, KIND_DEPENDENCIES } from './versions.js';

export interface ScaffoldOptions {
  kind: Kind;
  /** npm package name, e.g. `@acme/deskrec-storage-webdav`. */
  name: string;
  /** Target folder; must not exist or be empty. */
  dir: string;
  /** One line for admins; derived from the name when absent. */
  title?: string;
}

export interface ScaffoldResult {
  dir: string;
  pluginId: string;
  shortId: string;
  /** Written files, relative to `dir`, sorted. */
  files: string[];
}

/** Templates ship beside dist/ in the package: `templates/<kind>` and `templates/common`. */
const TEMPLATES = fileURLToPath(new URL('../templates/', import.meta.url));

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return out;
}

function packageJson(options: ScaffoldOptions, description: string): string {
  const extra = KIND_DEPENDENCIES[options.kind];
  const pkg = {
    name: options.name,
    version: '0.1.0',
    description,
    license: 'Apache-2.0',
    type: 'module',
    keywords: ['deskrec', 'deskrec-plugin', options.kind],
    exports: { '.': './dist/index.js' },
    types: './dist/index.d.ts',
    files: ['dist', 'README.md', 'CHANGELOG.md'],
    engines: { node: '>=20.19' },
    scripts: {
      build: 'tsc -p tsconfig.json',
      typecheck: 'tsc -p tsconfig.test.json',
      test: 'node --import tsx node_modules/uvu/bin.js test "\\.test\\.ts$"',
      prepack: 'npm run build',
    },
    ...(extra?.dependencies ? { dependencies: extra.dependencies } : {}),
    peerDependencies: { '@deskrec/core': CORE_RANGE, zod: DEV_DEPENDENCIES.zod },
    devDependencies: { '@deskrec/core': CORE_RANGE, ...DEV_DEPENDENCIES, ...extra?.devDependencies },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** Writes a new plugin package of `kind` into `dir`, ready for `npm install && npm test`. */
export async function scaffold(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const problem = packageNameProblem(options.name);
  if (problem) throw new Error(`--name "${options.name}": ${problem}`);
  if (existsSync(options.dir) && (await readdir(options.dir)).length > 0) {
    throw new Error(`--dir ${options.dir}: the folder is not empty; choose a new or empty folder`);
  }
  const { pluginId, shortId } = pluginIds(options.kind, options.name);
  const title = (options.title ?? defaultTitle(options.kind, shortId)).replace(/'/g, '’');
  const values: Record<string, string> = {
    __PACKAGE_NAME__: options.name,
    __PLUGIN_ID__: pluginId,
    __SHORT_ID__: shortId,
    __TITLE__: title,
    __KIND__: options.kind,
    __API_RANGE__: API_RANGE,
  };
  const fill = (text: string) => text.replace(/__[A-Z_]+__/g, (token) => values[token] ?? token);

  await mkdir(options.dir, { recursive: true });
  const written: string[] = [];
  for (const source of ['common', options.kind]) {
    const root = join(TEMPLATES, source);
    for (const file of await filesUnder(root)) {
      const target = join(options.dir, file);
      await mkdir(join(target, '..'), { recursive: true });
      await writeFile(target, fill(await readFile(join(root, file), 'utf8')));
      written.push(file);
    }
  }
  await writeFile(
    join(options.dir, 'package.json'),
    packageJson(options, `deskrec ${options.kind} plugin: ${title}`),
  );
  await writeFile(join(options.dir, '.gitignore'), 'node_modules/\ndist/\n*.tgz\n');
  written.push('package.json', '.gitignore');
  return { dir: options.dir, pluginId, shortId, files: written.sort() };
}
