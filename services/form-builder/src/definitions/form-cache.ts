import { CompiledForm } from './compiled-form.js';

type Json = Record<string, unknown>;

/** How many compiled versions one process keeps; the least recently used goes first. */
const CAPACITY = 500;

/** Compiled published versions by `formId:version`: each is compiled once, then reused (versions never change). */
export class FormCache {
  private readonly entries = new Map<string, CompiledForm>();

  async get(formId: string, version: number, load: () => Promise<{ dataSchema: Json; uiSchema: Json | null }>): Promise<CompiledForm> {
    const key = `${formId}:${version}`;
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const { dataSchema, uiSchema } = await load();
    const compiled = new CompiledForm(dataSchema, uiSchema);
    this.entries.set(key, compiled);
    if (this.entries.size > CAPACITY) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return compiled;
  }

  get size(): number {
    return this.entries.size;
  }
}
