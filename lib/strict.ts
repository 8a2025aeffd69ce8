import { z } from 'zod';

/** A zod object that rejects unknown keys: a typo is an error, never silently ignored. */
export function strict<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape).strict();
}
