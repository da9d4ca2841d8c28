/** Every Kubernetes CEL library kubeward supports, in registration order. */
import type { CelLibrary } from '../library.js';
import { base64Library } from './base64.js';
import { formatLibrary } from './format.js';
import { ipLibrary } from './ip.js';
import { listsLibrary } from './lists.js';
import { numericLibrary } from './numeric.js';
import { optionalLibrary } from './optional.js';
import { quantityLibrary } from './quantity.js';
import { regexLibrary } from './regex.js';
import { setsLibrary } from './sets.js';
import { stringsLibrary } from './strings.js';
import { urlLibrary } from './url.js';

export const libraries: readonly CelLibrary[] = [
  regexLibrary,
  listsLibrary,
  setsLibrary,
  stringsLibrary,
  base64Library,
  quantityLibrary,
  ipLibrary,
  urlLibrary,
  formatLibrary,
  optionalLibrary,
  numericLibrary,
];
