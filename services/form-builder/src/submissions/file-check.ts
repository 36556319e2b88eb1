import { Inject, Injectable } from '@nestjs/common';
import { MAX_ACCESS_CHECK_IDS } from '@np/files/contracts';
import type { BusClient } from '@np/messaging';
import { BUS_CLIENT } from '@np/runtime';
import { type FileField, fileValues, typeAllowed } from '../definitions/file-fields.js';
import { type Problem, pointerOf } from '../definitions/problems.js';

/**
 * File fields hold ids of files the submitter may read: the files module says which of them
 * these are (own files and public ones; an anonymous submitter only public ones), with their
 * sizes and types for the field's limits.
 */
@Injectable()
export class FileCheck {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  async problems(fields: readonly FileField[], data: unknown, userId: string | null): Promise<Problem[]> {
    const found = fields.flatMap((field) => fileValues(data, field.path).map((value) => ({ field, ...value })));
    // Values that are not ids are the schema's to refuse (format: uuid).
    const ids = [...new Set(found.map((entry) => entry.value).filter((value): value is string => typeof value === 'string' && UUID.test(value)))];
    if (ids.length === 0) return [];
    if (ids.length > MAX_ACCESS_CHECK_IDS) return [{ pointer: '', message: `at most ${MAX_ACCESS_CHECK_IDS} files in one submission` }];
    const reply = await this.bus.call('files.access.check', { ids, userId });
    const readable = new Map(reply.files.map((file) => [file.id, file]));
    const problems: Problem[] = [];
    for (const { field, path, value } of found) {
      if (typeof value !== 'string' || !UUID.test(value)) continue;
      const file = readable.get(value);
      const pointer = pointerOf(path);
      if (!file) problems.push({ pointer, message: 'is not a file you may read' });
      else if (field.maxBytes !== undefined && file.size > field.maxBytes) problems.push({ pointer, message: `the file is larger than ${field.maxBytes} bytes` });
      else if (field.contentTypes !== undefined && !typeAllowed(file.contentType, field.contentTypes)) problems.push({ pointer, message: `the file's type ${file.contentType} is not one of ${field.contentTypes.join(', ')}` });
    }
    return problems;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
