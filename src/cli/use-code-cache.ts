/**
 * Imported first by main.ts, for its effect only: the modules loaded after it
 * compile from the code cache `npm run build` made (code-cache.ts), when there is one.
 */
import { useCodeCache } from './code-cache';

useCodeCache();
