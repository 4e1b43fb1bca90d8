/*
 * The injectable types and modes the API accepts. Kept free of imports so that the console's
 * front-end can take its types from here (through http/console/shapes.ts) without pulling in
 * the server: a type added here is a compile error in the console until it offers it too.
 */
export const INJECTABLE_TYPES = [
  'file',
  'snippet',
  'html',
  'script',
  'component',
  'config',
  'json',
  'markdown',
  'css',
  'include',
  'sdk_module',
  'docs',
  'template',
] as const;
export const INJECTABLE_MODES = [
  'inject',
  'write',
  'replace',
  'symlink',
  'append',
  'prepend',
  'mount',
  'inline_render',
  'stream',
] as const;
export type InjectableType = (typeof INJECTABLE_TYPES)[number];
export type InjectableMode = (typeof INJECTABLE_MODES)[number];
