// Public API of the pure leads domain; LeadsService imports from here only.
export type * from './lead.types.js';
export { DEFAULT_KEYWORD_SETS, mergeKeywordSets } from './keyword-sets.js';
export { analyseTranscript } from './transcript-analysis.js';
export { summariseTranscript } from './transcript-summary.js';
export { DEFAULT_SCORING_WEIGHTS, scoreLead } from './lead-scoring.js';
