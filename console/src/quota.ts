/**
 * What the generation quota counts, said wherever it is shown beside a count of generations
 * (the dashboard's chart, the gallery): they differ after a delete or a failure, on purpose.
 */
export const QUOTA_NOTE =
  'The quota counts every generation accepted this month, deleted ones too; a failed one gives its unit back.';
