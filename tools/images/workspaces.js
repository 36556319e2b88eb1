// The npm workspaces of the repository and what each image takes from them. The list of images
// comes from the module manifest (@np/modules, built): one per implemented module, plus the operator.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The module manifest, from the compiled @np/modules (the images follow what the operator is built with). */
export async function loadManifest(root) {
  const entry = join(root, 'libs/modules/dist/index.js');
  if (!existsSync(entry)) throw new Error('libs/modules/dist is missing: run `npm run build` first');
  return import(pathToFileURL(entry).href);
}

/** One image per implemented module (its manifest `image` name) in start order, then the operator. */
export async function imageList(root) {
  const { PROCESS_MODULES, moduleEntry } = await loadManifest(root);
  const modules = PROCESS_MODULES.map((name) => {
    const entry = moduleEntry(name);
    return { image: entry.image, workspace: `services/${name}`, ports: [entry.ports.http, entry.ports.ops].filter((port) => port !== null), kind: entry.kind };
  });
  return [...modules, { image: 'operator', workspace: 'operator', ports: [8080], kind: 'operator' }];
}

export function workspaceGraph(root) {
  const patterns = readJson(join(root, 'package.json')).workspaces;
  const folders = patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(root, parent)).map((name) => `${parent}/${name}`);
  }).filter((folder) => existsSync(join(root, folder, 'package.json'))).sort();
  const manifests = new Map(folders.map((folder) => [folder, readJson(join(root, folder, 'package.json'))]));
  const folderOfPackage = new Map(folders.map((folder) => [manifests.get(folder).name, folder]));

  /** The workspace and every workspace it depends on at run time (dependencies, not devDependencies). */
  function closure(start) {
    const seen = new Set();
    const visit = (folder) => {
      if (seen.has(folder)) return;
      seen.add(folder);
      for (const name of Object.keys(manifests.get(folder).dependencies ?? {})) {
        const dependency = folderOfPackage.get(name);
        if (dependency) visit(dependency);
      }
    };
    visit(start);
    return [...seen].sort();
  }

  return {
    folders,
    packageOf: (folder) => manifests.get(folder).name,
    closure,
    async imagePlan(workspace) {
      if (!manifests.has(workspace)) throw new Error(`${workspace} is not a workspace (${folders.join(', ')})`);
      const full = closure(workspace);
      const { PROCESS_MODULES, moduleEntry } = await loadManifest(root);
      const isGateway = PROCESS_MODULES.some((name) => moduleEntry(name).kind === 'gateway' && `services/${name}` === workspace);
      // The gateway imports `<package>/contracts` of every implemented module (libs/runtime's module loader).
      const contractsOnly = isGateway
        ? PROCESS_MODULES.filter((name) => moduleEntry(name).kind === 'module').map((name) => folderOfPackage.get(moduleEntry(name).package)).filter((folder) => !full.includes(folder))
        : [];
      return { workspace, full, contractsOnly, main: `${workspace}/dist/main.js` };
    },
  };
}
