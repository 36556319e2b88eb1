/** Wakes the outbox relay after a commit, so events leave now rather than at the next poll. */
export interface OutboxSignal {
  kick(): void;
}
