import { build } from 'vite';

let built: Promise<void> | null = null;

/** Builds the console exactly as `npm run build` does, so browser tests never run against a stale bundle. */
export function buildConsole(): Promise<void> {
  built ??= build({ configFile: new URL('../../console/vite.config.ts', import.meta.url).pathname, logLevel: 'error' }).then(() => undefined);
  return built;
}
