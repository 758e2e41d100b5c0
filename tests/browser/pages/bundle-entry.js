// A user's app bundled by esbuild (platform browser; formats esm and iife):
// 'tiervm' resolves to the package through its exports map.
import * as tiervm from 'tiervm';
import { runPage } from './page.js';
runPage(tiervm, { worker: false });
