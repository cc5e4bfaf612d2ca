/** `npm run schema:emit`: rewrites schema/*.graphql from the code (see src/server/emitSchemas.ts). */
import { emitSchemas } from '../server/emitSchemas';

const written = emitSchemas();
process.stdout.write(`Wrote ${written.join(', ')}\n`);
