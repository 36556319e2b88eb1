// Tests `npm run new:module` the way a newcomer uses it: in a temporary copy of the checkout, it
// generates a module, builds, lints and type-checks everything, runs the module's own unit and integration
// tests, starts the platform in both shapes with the module switched on and calls its example
// routes through the gateway, and (with a control plane, KUBECONFIG set) has the API server
// accept a Tenant that lists it. Needs the servers of tools/servers-up.sh (their settings in the
// environment). Prints a line per step; exits non-zero at the first failure.
//
//   node tools/test-new-module.js [name]      (default: inventory)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NAME = process.argv[2] ?? 'inventory';
const started = Date.now();

function step(message) {
  console.log(`\u001b[1m==> [new:module ${((Date.now() - started) / 1000).toFixed(0)} s] ${message}\u001b[0m`);
}

function run(command, args, cwd, env = {}) {
  execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
}

/** The checkout's files (tracked and new, not ignored), plus node_modules as hard links: a copy in seconds. */
function copyCheckout(target) {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    try {
      cpSync(join(ROOT, file), join(target, file), { recursive: false, verbatimSymlinks: true });
    } catch (error) {
      if (error.code !== 'ENOENT') throw error; // deleted in the working tree, not yet committed
    }
  }
  const nodeModules = execFileSync('find', ['.', '-name', 'node_modules', '-type', 'd', '-prune', '-not', '-path', './.local/*'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const folder of nodeModules) run('cp', ['-al', join(ROOT, folder), join(target, dirname(folder))], ROOT);
}

async function callExampleRoutes(copy, shape) {
  const harness = await import(pathToFileURL(join(copy, 'test/harness/platform.js')).href);
  const platform = await harness.startPlatform(shape, { env: { NP_MODULES: `users,${NAME}` }, logDir: join(copy, '.local/e2e-logs') });
  try {
    const document = await (await fetch(`${platform.url}/docs/openapi.json`)).json();
    expectThat(Object.keys(document.paths).includes(`/v1/${NAME}/items`), `/docs/openapi.json documents /v1/${NAME}/items`);
    const login = await fetch(`${platform.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(harness.ADMIN) });
    const { access_token: token } = await login.json();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${platform.url}/v1/${NAME}/items`, { method: 'POST', headers, body: JSON.stringify({ name: 'first' }) });
    expectThat(created.status === 201, `POST /v1/${NAME}/items answers 201 (got ${created.status})`);
    const item = await created.json();
    const read = await fetch(`${platform.url}/v1/${NAME}/items/${item.id}`, { headers });
    expectThat(read.status === 200 && (await read.json()).name === 'first', `GET /v1/${NAME}/items/:id answers the item`);
    const anonymous = await fetch(`${platform.url}/v1/${NAME}/items/${item.id}`);
    expectThat(anonymous.status === 401 && (await anonymous.json()).code === 'token_missing', 'without a token: 401 token_missing');
    const invalid = await fetch(`${platform.url}/v1/${NAME}/items`, { method: 'POST', headers, body: JSON.stringify({ name: 7 }) });
    expectThat(invalid.status === 400 && (await invalid.json()).code === 'validation_failed', 'a wrong type: 400 validation_failed');
  } finally {
    await platform.close();
  }
}

/** The generated CRD on the running API server (dry run: nothing is stored, the real CRD stays). */
function tenantAccepted(copy) {
  const kubectl = process.env.NP_KUBECTL;
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubectl || !kubeconfig) {
    console.log('    no control plane in the environment (KUBECONFIG, NP_KUBECTL): Tenant check skipped');
    return;
  }
  // A CRD of another name and group carries the generated schema, so the check cannot disturb the real one.
  const crd = execFileSync('sed', ['-e', 's/platform.np.dev/newmodule.test.np.dev/g', join(copy, 'crds/platform.np.dev_tenants.yaml')], { encoding: 'utf8' });
  const crdFile = join(copy, '.local/generated-crd.yaml');
  writeFileSync(crdFile, crd);
  run(kubectl, ['--kubeconfig', kubeconfig, 'apply', '-f', crdFile], copy);
  try {
    run(kubectl, ['--kubeconfig', kubeconfig, 'wait', '--for=condition=Established', '--timeout=60s', 'crd/tenants.newmodule.test.np.dev'], copy);
    const tenant = join(copy, '.local/generated-tenant.yaml');
    writeFileSync(tenant, `apiVersion: newmodule.test.np.dev/v1alpha1\nkind: Tenant\nmetadata:\n  name: acme\nspec:\n  adminEmail: admin@acme.test\n  modules:\n    - name: ${NAME}\n`);
    run(kubectl, ['--kubeconfig', kubeconfig, 'apply', '--dry-run=server', '-f', tenant], copy);
    const bogus = join(copy, '.local/bogus-tenant.yaml');
    writeFileSync(bogus, `apiVersion: newmodule.test.np.dev/v1alpha1\nkind: Tenant\nmetadata:\n  name: acme\nspec:\n  adminEmail: admin@acme.test\n  modules:\n    - name: ${NAME}-nope\n`);
    let refusal = '';
    try {
      execFileSync(kubectl, ['--kubeconfig', kubeconfig, 'apply', '--dry-run=server', '-f', bogus], { stdio: 'pipe' });
    } catch (error) {
      refusal = String(error.stderr);
    }
    expectThat(refusal.includes('spec.modules[0].name: Unsupported value'), 'the API server refuses a Tenant listing an unknown module');
  } finally {
    run(kubectl, ['--kubeconfig', kubeconfig, 'delete', '--wait=false', '-f', crdFile], copy);
  }
}

function expectThat(condition, what) {
  if (!condition) throw new Error(`new:module check failed: ${what}`);
  console.log(`    ok: ${what}`);
}

const copy = mkdtempSync(join(tmpdir(), 'np-new-module-'));
try {
  step(`copying the checkout to ${copy}`);
  copyCheckout(copy);
  mkdirSync(join(copy, '.local'), { recursive: true });
  // A repository of its own, so `git status` after generating names exactly what the generator touched.
  run('git', ['init', '-q'], copy);
  run('git', ['add', '-A'], copy);
  run('git', ['-c', 'user.name=np', '-c', 'user.email=np@localhost', 'commit', '-q', '-m', 'snapshot'], copy);
  step(`npm run new:module -- ${NAME}`);
  run('npm', ['run', '--silent', 'new:module', '--', NAME], copy);
  const outside = execFileSync('git', ['status', '--porcelain', '--untracked-files=normal'], { cwd: copy, encoding: 'utf8' });
  console.log(`    changed outside services/${NAME}:\n${outside.split('\n').filter((line) => line && !line.includes(`services/${NAME}/`)).map((line) => `      ${line}`).join('\n')}`);
  step('building, linting and type-checking everything (the new module\'s tests included)');
  run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static', '--skipNxCache'], copy, { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' });
  run('npx', ['nx', 'run-many', '-t', 'lint', '--outputStyle=static', '--skipNxCache', `--projects=@np/${NAME},@np/gateway,@np/modules,@np/operator`], copy, { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' });
  run('npm', ['run', '--silent', 'typecheck'], copy);
  step(`the module's unit and integration tests, and the manifest, contracts and Tenant API checks`);
  run(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--selectProjects', 'unit', 'integration', '--runInBand', `services/${NAME}`, 'libs/modules', 'libs/contracts', 'operator/src/api'], copy);
  for (const shape of ['embedded', 'distributed']) {
    step(`the ${shape} shape: /docs/openapi.json and the example routes through the gateway`);
    await callExampleRoutes(copy, shape);
  }
  step('a Tenant listing the module, on the API server');
  tenantAccepted(copy);
  step(`new:module works (${readdirSync(join(copy, 'services', NAME)).length} entries in services/${NAME})`);
} finally {
  rmSync(copy, { recursive: true, force: true });
}
