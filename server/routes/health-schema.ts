import { z } from 'zod';

/** GET /health/live and /health/ready: the process runs / can serve. */
export const healthResponse = z.object({ status: z.literal('ok') });
export type HealthResponse = z.infer<typeof healthResponse>;
