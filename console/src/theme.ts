export type Theme = 'light' | 'dark';

/** The chosen theme (a display preference, not a credential) or the system's. */
export function currentTheme(): Theme {
  const saved = localStorage.getItem('tollgate-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(t: Theme): void {
  document.documentElement.dataset.theme = t;
}

export function saveTheme(t: Theme): void {
  localStorage.setItem('tollgate-theme', t);
  applyTheme(t);
}
