import { z } from 'zod';

export const itemSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  createdBy: z.uuid(),
  createdAt: z.iso.datetime(),
});
export type Item = z.infer<typeof itemSchema>;

export const createItemRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
});

export const itemIdParamsSchema = z.strictObject({ id: z.uuid() });
