import { Inject, Injectable } from '@nestjs/common';
import { ShortLivedCache } from '../store/short-lived-cache.js';
import type { FormSummary } from './form-record.js';
import { FormsRepository } from './forms.repository.js';

/** How long another replica's publish or archive may take to reach this one's submissions. */
const TTL_MS = 1000;

/** Forms' status, latest version and access as submissions read them; edits here forget them at once. */
@Injectable()
export class FormSummaries {
  private readonly cache = new ShortLivedCache<FormSummary | null>(TTL_MS);

  constructor(@Inject(FormsRepository) private readonly forms: FormsRepository) {}

  get(id: string): Promise<FormSummary | null> {
    return this.cache.get(id, () => this.forms.findSummary(id));
  }

  forget(id: string): void {
    this.cache.forget(id);
  }
}
