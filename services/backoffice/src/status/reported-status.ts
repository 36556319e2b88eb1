import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/**
 * The file the operator keeps in the cluster shape (a ConfigMap mounted into the pod): each
 * module's state as the Tenant's status shows it. `asleep` comes from the operator when the
 * module scales to zero with its traffic.
 */
const reportedStatusSchema = z.object({
  modules: z.array(
    z.object({
      name: z.string(),
      enabled: z.boolean(),
      desired: z.number().int().min(0),
      ready: z.number().int().min(0),
      asleep: z.boolean().optional(),
    }),
  ),
});
export type ReportedModule = z.infer<typeof reportedStatusSchema>['modules'][number];

/** The file's modules by name; throws when the file is missing or not what the operator writes. */
export async function readReportedStatus(path: string): Promise<Map<string, ReportedModule>> {
  const parsed = reportedStatusSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  return new Map(parsed.modules.map((module) => [module.name, module]));
}
