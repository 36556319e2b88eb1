/** Nest injection token of the module's StorageDriver. */
export const STORAGE = Symbol('files.storage');
