import { parseArgs } from 'node:util';
import { ConfigError, readEnv, toConfig } from './config.js';
import { DomainError } from './core/errors.js';
import { TIER_NAMES } from './core/plans/tiers.js';
import { prepareDirectory, usesDataDir } from './lib/data-dir.js';
import { checkCanListen } from './lib/listen-check.js';
import { firstLine, StartupError } from './lib/startup-error.js';
import { packageVersion } from './lib/version.js';

const USAGE = `Usage: tollgate <command> [options]

Commands:
  serve                                   start the HTTP server (default)
  worker                                  run generation jobs only (no HTTP); as many as you like
  migrate                                 apply database migrations and exit
  create-operator --email <email> [--name <full name>]
                                          create a platform operator; prints its key once
  rotate-operator-key --email <email>     replace an operator's keys with a new one; prints it once
  set-tier --developer <email|id> --tier <${TIER_NAMES.join('|')}>
                                          move a developer to another plan tier

Options:
  --data-dir <dir>                        the data directory (DATA_DIR; default ./data of this folder)
  --version                               print the version
  --help                                  print this help

Configuration comes from the environment; see the README.`;

const ADMIN_COMMANDS = ['migrate', 'create-operator', 'set-tier', 'rotate-operator-key'] as const;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    console.log(`tollgate ${packageVersion()}`);
    return 0;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      developer: { type: 'string' },
      tier: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  const env = readEnv();
  if (values['data-dir']) env.DATA_DIR = values['data-dir'];
  // Settings are checked before anything is opened, created or imported (the app is loaded only to serve).
  const config = toConfig(env);
  if (command === 'serve' || command === 'worker') {
    // A port in use, a HOST that is not ours and a DATA_DIR we cannot write are said at once,
    // before the app is loaded and the database migrated (seconds).
    if (command === 'serve') await checkCanListen(config.host, config.port);
    if (usesDataDir(config)) prepareDirectory(config.dataDir);
    const cli = await import('./cli/serve.js');
    await (command === 'serve' ? cli.serve(config) : cli.worker(config));
    return -1;
  }
  if (!(ADMIN_COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command "${command}"`);
  const admin = await import('./cli/admin.js');
  try {
    await admin.runAdminCommand(command as (typeof ADMIN_COMMANDS)[number], config, {
      ...values,
      locationChosen: Boolean(env.DATA_DIR || env.DATABASE_URL),
    });
  } catch (err) {
    throw err instanceof admin.UsageError ? new UsageError(err.message) : err;
  }
  return 0;
}

/** One line for every failure; the stack trace too only with LOG_LEVEL=debug (or trace). */
function report(err: unknown): string {
  const debug = /^(debug|trace)$/i.test(process.env.LOG_LEVEL?.trim() ?? '');
  const stack =
    debug && err instanceof Error
      ? `\n${err.stack}${err.cause instanceof Error ? `\ncaused by: ${err.cause.stack}` : ''}`
      : '';
  if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return `tollgate: ${(err as Error).message}\n\n${USAGE}`;
  }
  if (err instanceof ConfigError) return `tollgate: configuration error: ${err.message}${stack}`;
  if (err instanceof StartupError) return `tollgate: ${err.message}${stack}`;
  if (err instanceof DomainError) return `tollgate: ${err.fields[0]?.message ?? err.message}${stack}`;
  return `tollgate: failed: ${firstLine(err)}${stack || ' (LOG_LEVEL=debug shows the stack trace)'}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    console.error(report(err));
    process.exit(1);
  },
);
