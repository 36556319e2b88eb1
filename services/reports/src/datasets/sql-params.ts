import type { sqlParameters } from '@np/persistence';

/** A query's values and their `$n` placeholders (`sqlParameters`): nothing a user sent is ever spliced into SQL. */
export type SqlParams = ReturnType<typeof sqlParameters>;
