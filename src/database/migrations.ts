import { InitialSchema1795258568180 } from '../../migrations/1795258568180-InitialSchema.js';
import { CallsLeadsUsage1795258968362 } from '../../migrations/1795258968362-CallsLeadsUsage.js';

// Every migration in order. A new migration is added here and never edited once merged.
export const MIGRATIONS = [InitialSchema1795258568180, CallsLeadsUsage1795258968362];
