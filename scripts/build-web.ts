/**
 * `npm run web:build`: builds the admin dashboard (web/ → web/dist). `--if-present` (npm's postinstall)
 * skips quietly when web/ is not there yet (the Docker image installs before it copies the sources) and
 * when the build is up to date.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildWeb, ensureWebBuilt, WEB_DIR } from '../lib/web/build';

async function main(): Promise<void> {
  const ifPresent = process.argv.includes('--if-present');
  if (ifPresent) {
    if (!existsSync(path.join(WEB_DIR, 'index.html'))) {
      console.log('web/ is not here yet: the dashboard is built later (npm run web:build).');
      return;
    }
    if (!(await ensureWebBuilt())) console.log('The dashboard build (web/dist) is up to date.');
    return;
  }
  await buildWeb();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
