// `npm start`: lint the bundled examples/ (a demo: findings are expected, so it
// exits 0 unless the CLI reports bad usage or input), or the paths given after
// `--`, with the CLI's own exit code.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const demo = !args.some((a) => !a.startsWith('-'));
const cli = join(root, 'dist', 'cli.js');
const res = spawnSync(process.execPath, [cli, ...(demo ? [join(root, 'examples')] : []), ...args], { stdio: 'inherit' });
const code = res.status ?? 2;
process.exit(demo && code === 1 ? 0 : code);
