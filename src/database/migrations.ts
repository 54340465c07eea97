import { InitialSchema1795258568180 } from '../../migrations/1795258568180-InitialSchema.js';

// Every migration in order. A new migration is added here and never edited once merged.
export const MIGRATIONS = [InitialSchema1795258568180];
