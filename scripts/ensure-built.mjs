// `npm start` must work right after `npm ci`: build when dist/ is missing or older than src/.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const stale = !existsSync('dist/cli.js') || newest('src') > statSync('dist/cli.js').mtimeMs;
if (stale) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  // The status page's script, stylesheet and icon, as `npm run build` copies them.
  cpSync('src/http/static', 'dist/http/static', { recursive: true });
}
