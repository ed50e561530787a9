// Entry of the SQL page's preview process (plain JavaScript: it runs before any TypeScript loader exists).
// Registers tsx's loader, as bin/sluice.mjs does, then runs sql-preview-job.ts.
import { register } from 'tsx/esm/api';

register();
await import('./sql-preview-job.ts');
