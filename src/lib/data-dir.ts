import fs from 'node:fs';
import type { Config } from '../config.js';
import { errnoOf, reasonOf, StartupError } from './startup-error.js';

/** What to do about a directory we cannot use, by the system error that said so. */
function remedy(code: string | undefined, setting: string): string {
  if (code === 'EROFS') return `set ${setting} to a directory on a writable file system`;
  if (code === 'ENOTDIR' || code === 'EEXIST') return `set ${setting} to a directory (it is created when missing)`;
  return `set ${setting} to a directory this user can write to, or fix its permissions`;
}

/** One line naming the path, the cause and the remedy, for a file-system failure under `setting`. */
export function directoryFailure(err: unknown, setting: string, dir: string): StartupError {
  const code = errnoOf(err);
  return new StartupError(`${setting} ${dir} cannot be used (${reasonOf(err)}): ${remedy(code, setting)}`, {
    cause: err,
  });
}

/**
 * Makes sure `dir` exists and this process may write in it. What it creates is owner-only
 * (0700): the directory holds the database and the server secret. An existing directory
 * keeps the permissions its owner gave it.
 */
export function prepareDirectory(dir: string, setting = 'DATA_DIR'): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw directoryFailure(err, setting, dir);
  }
}

/** Whether DATA_DIR holds anything for this configuration: the generated secret, the SQLite file or the local image store. */
export function usesDataDir(config: Config): boolean {
  return !config.secret || !config.generations.s3 || (config.database.dialect === 'sqlite' && !config.database.url);
}
