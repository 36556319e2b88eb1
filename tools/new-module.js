// `npm run new:module -- <name>`: a working module in services/<name>, from tools/module-template/.
// It answers two example routes through the gateway (POST /v1/<name>/items, GET /v1/<name>/items/:id),
// keeps them in its own schema, and starts in every shape. Outside its folder it writes its line in
// the module manifest and the workspace's package-lock.json; a name the Tenant API does not know yet
// also gets its place in the CRD's module enum and the README's module table, both rendered from the
// manifest. Run from the repository root; nothing is built here (`npm run build` does).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATE = join(ROOT, 'tools/module-template');
const MANIFEST = join(ROOT, 'libs/modules/src/module-manifest.ts');
const CRD = join(ROOT, 'crds/platform.np.dev_tenants.yaml');
const README = join(ROOT, 'README.md');
const NEW_ENTRY_MARKER = '  // new modules: above this line (npm run new:module)';
const RESERVED = new Set(['gateway', 'auth', 'embedded', 'contracts', 'modules', 'operator']);

function fail(message) {
  console.error(`new:module: ${message}`);
  process.exit(1);
}

/** Every spelling the template uses: form-builder, FormBuilder, formBuilder, FORM_BUILDER, form_builder. */
export function spellings(name) {
  const words = name.split('-');
  const pascal = words.map((word) => word[0].toUpperCase() + word.slice(1)).join('');
  return { __name__: name, __Name__: pascal, __camel__: pascal[0].toLowerCase() + pascal.slice(1), __NAME__: words.join('_').toUpperCase(), __schema__: words.join('_') };
}

function fillIn(text, names) {
  return Object.entries(names).reduce((result, [placeholder, value]) => result.replaceAll(placeholder, value), text);
}

function copyTemplate(from, to, names, written) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const source = join(from, entry);
    const target = join(to, fillIn(entry, names));
    if (statSync(source).isDirectory()) {
      copyTemplate(source, target, names, written);
    } else {
      writeFileSync(target, fillIn(readFileSync(source, 'utf8'), names));
      written.push(relative(ROOT, target));
    }
  }
}

/** The manifest's entry of `name`, as text, or undefined. */
function entryBlock(manifest, name) {
  const start = manifest.indexOf(`  {\n    name: '${name}',`);
  if (start < 0) return undefined;
  const end = manifest.indexOf('\n  },', start) + '\n  },'.length;
  return { start, end, text: manifest.slice(start, end) };
}

function nextLocalOpsPort(manifest) {
  const ports = [...manifest.matchAll(/localOpsPort: (\d+)/g)].map((match) => Number(match[1]));
  return Math.max(9100, ...ports) + 1;
}

function newEntry(name, names, manifest) {
  return `  {
    name: '${name}',
    package: '@np/${name}',
    kind: 'module',
    alwaysOn: false,
    implemented: true,
    bus: bus('${name}'),
    events: [],
    permissions: ['${name}:read', '${name}:write'],
    managerPermissions: ['${name}:read', '${name}:write'],
    schema: '${names.__schema__}',
    image: '${name}',
    ports: BUS_ONLY,
    localOpsPort: ${nextLocalOpsPort(manifest)},
    deployment: scaled(3, SMALL),
  },
`;
}

/** Marks a planned module implemented and gives it the example routes' permissions; adds an unknown one. Answers whether it was new. */
function writeManifestEntry(name, names) {
  const manifest = readFileSync(MANIFEST, 'utf8');
  const block = entryBlock(manifest, name);
  if (block) {
    if (block.text.includes('implemented: true')) fail(`${name} is already implemented (services/${name}).`);
    const permissions = `['${name}:read', '${name}:write']`;
    const filled = block.text
      .replace('implemented: false', 'implemented: true')
      .replace(/permissions: \[\]/, `permissions: ${permissions}`)
      .replace(/managerPermissions: \[\]/, `managerPermissions: ${permissions}`);
    writeFileSync(MANIFEST, manifest.slice(0, block.start) + filled + manifest.slice(block.end));
    return false;
  }
  if (!manifest.includes(NEW_ENTRY_MARKER)) fail(`the manifest lost its marker line (${NEW_ENTRY_MARKER.trim()}).`);
  writeFileSync(MANIFEST, manifest.replace(NEW_ENTRY_MARKER, `${newEntry(name, names, manifest)}${NEW_ENTRY_MARKER}`));
  return true;
}

/** The Tenant API learns the name: the CRD's enum of optional modules. */
function addToCrdEnum(name) {
  const crd = readFileSync(CRD, 'utf8');
  const pattern = /(enum: \[users(?:, [a-z0-9-]+)*)\]/;
  if (!pattern.test(crd)) fail('could not find the module enum in the CRD.');
  const maxItems = /(description: Optional modules the tenant bought, each listed once\.\n\s+maxItems: )(\d+)/;
  if (!maxItems.test(crd)) fail('could not find the module list bound in the CRD.');
  writeFileSync(CRD, crd.replace(pattern, `$1, ${name}]`).replace(maxItems, (_all, head, count) => `${head}${Number(count) + 1}`));
}

/** The README's module table, rendered from the manifest just written (libs/modules compiled first). */
async function renderReadmeTable() {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', join(ROOT, 'libs/modules')], { stdio: 'inherit' });
  const { renderModuleTable } = await import(`${join(ROOT, 'libs/modules/dist/index.js')}?${Date.now()}`);
  const table = /(<!-- module-table:start -->\n)[\s\S]*?(\n<!-- module-table:end -->)/;
  const readme = readFileSync(README, 'utf8');
  if (!table.test(readme)) fail('README.md has no module table between the module-table markers.');
  writeFileSync(README, readme.replace(table, (_all, start, end) => `${start}${renderModuleTable()}${end}`));
}

/** What `npm install` would do for a new workspace, without touching anything else: its link and its lock entry. */
function registerWorkspace(name) {
  const link = join(ROOT, 'node_modules/@np', name);
  if (!existsSync(link)) symlinkSync(join('../../services', name), link);
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: ROOT, stdio: 'inherit' });
}

async function main() {
  const name = process.argv[2];
  if (!name || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > 30) {
    fail('give a module name: lower-case words joined by hyphens, at most 30 characters (npm run new:module -- inventory).');
  }
  if (RESERVED.has(name)) fail(`${name} is taken by the platform itself.`);
  const folder = join(ROOT, 'services', name);
  if (existsSync(folder)) fail(`services/${name} exists already.`);

  const names = spellings(name);
  console.log(`==> creating the ${name} module`);
  const written = [];
  copyTemplate(TEMPLATE, folder, names, written);
  console.log(`    services/${name}: ${written.length} files`);
  const isNewName = writeManifestEntry(name, names);
  console.log(`    libs/modules/src/module-manifest.ts: ${isNewName ? 'new entry' : 'marked implemented'}`);
  if (isNewName) {
    addToCrdEnum(name);
    await renderReadmeTable();
    console.log('    crds/platform.np.dev_tenants.yaml, README.md: the new name in the Tenant API and the module table');
  }
  registerWorkspace(name);
  console.log('    package-lock.json: the new workspace');
  console.log(`==> done. Next: npm run build, then NP_MODULES=users,${name} npm start and try POST /v1/${name}/items.`);
}

await main();
