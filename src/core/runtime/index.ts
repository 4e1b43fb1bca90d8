/**
 * The paid-install check (`has-paid`): what every delivered install asks on start-up, so the
 * one request whose cost is the product's. Everything it needs is in this folder.
 *
 * The flow of a check (check-license.ts):
 *   1. The face hands over the key, the X-Devpayr-Domain value, the client address, the
 *      action and the project the client names (RuntimeCheckInput).
 *   2. Memory (memory.ts: lookup) finds the license the key's SHA-256 names: a snapshot of
 *      the license, its project and their domains (snapshot.ts), or "no such license",
 *      answered without a query by the key filter (key-filter.ts) for keys no license has.
 *      When the same install repeats its last pass, memory hands that pass back too.
 *   3. The rules (rules.ts), a pure function of (snapshot, request, now), decide: a pass
 *      (paid or not) or a refusal with its code. Where they need the database (a new
 *      identifier under domain limits, a daily limit) they say so, and the check asks it
 *      and asks them again.
 *   4. Memory (record) counts the check for the statistics (check-recorder.ts).
 *   Nothing in 2-4 waits when memory can answer: the verdict is then returned synchronously.
 *
 * Where state lives: all of it in one RuntimeState per Context (state.ts): the snapshot
 * store (snapshot-store.ts) with its change feed (feed.ts), the last pass of each snapshot
 * (memory.ts, keyed by the snapshot object), the counters (check-recorder.ts), the Redis
 * push (push.ts), the unknown-key limiter and the parsed identifiers (state.ts). Snapshots
 * and passes are never changed once made.
 *
 * How a change invalidates it: whatever may change an answer (a license issued, revoked or
 * deleted, a project's flags, a domain) calls noteRuntimeChange (changes.ts) in its own
 * transaction. That writes a runtime_changes row, drops the concerned snapshots here at once
 * and keeps their project served from the database until the feed reads the row back
 * ("pending"), pushes the same to other processes over Redis, and every process's feed
 * polls the table, so a change is seen everywhere within FEED_FRESH_MS, Redis or not. A
 * dropped snapshot takes its remembered pass with it; past FEED_FRESH_MS without a good
 * poll, memory answers nothing and every check reads the database.
 *
 * A rerolled license's old key (key reroll, migration 022) is found by previous_key_hash; its
 * snapshot knows when the overlap ends and the rules refuse it after, by the clock alone.
 *
 * How counts are kept: per minute and (project, license, identifier, outcome) in memory,
 * written once the minute is over, a part every few seconds (check-recorder.ts). A repeated
 * pass adds one to the counter its first pass made, through a tally that any hand-over of
 * counters makes stale (then the check is counted anew).
 */
export { checkLicense, type RuntimeCheckInput } from './check-license.js';
export { noteRuntimeChange, type RuntimeChange } from './changes.js';
export type { CheckOutcome, Pass, Refusal, RefusalOutcome, Verdict } from './rules.js';
export { RuntimeState, UNKNOWN_KEYS_PER_MINUTE } from './state.js';
