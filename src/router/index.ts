export { selectModel } from './select-model.js';
