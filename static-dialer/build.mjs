// Builds dist/: index.html, one content-hashed JS bundle, its CSS, and config.js (the dev config: the API on the
// same origin, as the local runner serves it). The deploy script overwrites dist/config.js with the stack's URL.
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
export const DEV_API_BASE_URL = '/aicallgo/api/v1/cold-call';

await rm(dist, { recursive: true, force: true });
await mkdir(dist);
const result = await build({
  entryPoints: { app: join(root, 'src/main.js'), dialer: join(root, 'src/dialer.css') },
  entryNames: '[name]-[hash]',
  outdir: dist,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome109', 'edge109', 'firefox115', 'safari16'],
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
const js = outputs.find((file) => file.endsWith('.js'));
const css = outputs.find((file) => file.endsWith('.css'));
const html = (await readFile(join(root, 'src/index.html'), 'utf8')).replace('{{js}}', js).replace('{{css}}', css);
await writeFile(join(dist, 'index.html'), html);
await writeFile(join(dist, 'config.js'), `window.DIALER_CONFIG = {"apiBaseUrl": ${JSON.stringify(DEV_API_BASE_URL)}};\n`);
console.log(`static-dialer: built dist/ (index.html, ${js}, ${css}, config.js)`);
