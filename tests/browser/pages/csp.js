// The script of csp.html: under a policy without 'unsafe-inline' a page's
// scripts come from files.
import * as tiervm from '/node_modules/tiervm/dist/vm.js';
import { runPage } from './page.js';
runPage(tiervm);
