/** Which page of a list numbered from 1, and how long pages are. */
export interface PageInput {
  page: number;
  pageSize: number;
}

/**
 * One page of a list paged by number with its total, as the payments lists page (the devkit
 * spec's `page`/`page_size`); not the cursor `Page` of core/licenses/cursor-page.ts.
 */
export interface NumberedPage<T> extends PageInput {
  items: T[];
  total: number;
}

export const offsetOf = (input: PageInput): number => (input.page - 1) * input.pageSize;
